using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Trading.Api.Tests.Acceptance;

/// <summary>
/// Keeps every log line the host writes, at every level (Trace and Debug included) and of every category: the formatted
/// message, every structured value, the active scopes and the whole exception chain — what a log reader could see.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLine> lines = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLine> Lines => [.. lines];

    public string Text => string.Join('\n', lines.Select(l => l.Text));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)}");
            Values(state, text);
            owner.scopes.ForEachScope((scope, sb) => Values(scope, sb.Append(" scope:")), text);
            if (exception is not null)
                text.Append('\n').Append(exception);
            owner.lines.Enqueue(new CapturedLine(logLevel, category, text.ToString()));
        }

        private static void Values(object? state, StringBuilder text)
        {
            switch (state)
            {
                case IEnumerable<KeyValuePair<string, object?>> pairs:
                    foreach (var (key, value) in pairs)
                        text.Append(' ').Append(key).Append('=').Append(Render(value));
                    break;
                case not null:
                    text.Append(' ').Append(Render(state));
                    break;
            }
        }

        private static string Render(object? value) => value switch
        {
            null => "null",
            string s => s,
            byte[] bytes => Convert.ToBase64String(bytes),
            IEnumerable items => string.Join(',', items.Cast<object?>().Select(Render)),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }
}

public sealed record CapturedLine(LogLevel Level, string Category, string Text);
