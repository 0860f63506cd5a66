// `van node`, `van status` and `van request` arrive with the router issue.
Console.Error.WriteLine("van: no commands yet; see README.md.");
return 2;
