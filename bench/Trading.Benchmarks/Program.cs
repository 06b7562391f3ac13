return args is ["workflow", .. var rest]
    ? await Trading.Benchmarks.WorkflowBench.RunAsync(rest)
    : await Trading.Benchmarks.Bench.RunAsync(args);
