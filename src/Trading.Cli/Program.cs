using System.Text;
using Trading.Cli;

Console.OutputEncoding = Encoding.UTF8;
return await Cli.Root().Parse(args).InvokeAsync();
