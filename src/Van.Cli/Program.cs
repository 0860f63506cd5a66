using System.CommandLine;
using Van.Cli;

var root = new RootCommand("van: run and inspect a Van virtual application network.")
{
    NodeCommand.Create(),
    RequestCommand.Create(),
    StatusCommand.Create(),
    CaCommand.Create(),
    CertCommand.Create(),
    TokenCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
