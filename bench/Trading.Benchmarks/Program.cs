return await Trading.Benchmarks.Bench.RunAsync(args);
