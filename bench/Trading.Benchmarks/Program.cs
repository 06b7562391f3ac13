return args switch
{
    ["workflow", .. var rest] => await Trading.Benchmarks.WorkflowBench.RunAsync(rest),
    ["completion", .. var rest] => await Trading.Benchmarks.CompletionBench.RunAsync(rest),
    ["result", .. var rest] => await Trading.Benchmarks.ResultBench.RunAsync(rest),
    ["verify", .. var rest] => await Trading.Benchmarks.VerifyBench.RunAsync(rest),
    _ => await Trading.Benchmarks.Bench.RunAsync(args),
};
