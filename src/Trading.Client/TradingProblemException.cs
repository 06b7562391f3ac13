using System.Globalization;
using System.Net;
using System.Text;

namespace Trading.Client;

/// <summary>
/// The platform refused a request: its RFC 9457 problem details (API.md, Errors). <see cref="Slug"/> is the stable
/// last segment of <see cref="Type"/> (<c>bid-exists</c>, <c>deadline-passed</c>, …) to switch on; <see cref="Rule"/>
/// and <see cref="Basis"/> name the rule broken and its legal article.
/// </summary>
public sealed class TradingProblemException : Exception
{
    public TradingProblemException(
        HttpStatusCode status, string? type, string title, string? detail, string? rule = null, string? basis = null,
        IReadOnlyDictionary<string, string[]>? errors = null, string? instance = null)
        : base(Describe(status, type, title, detail, rule, basis, errors))
    {
        Status = status;
        Type = type;
        Slug = SlugOf(type, status);
        Title = title;
        Detail = detail;
        Rule = rule;
        Basis = basis;
        Errors = errors ?? new Dictionary<string, string[]>();
        Instance = instance;
    }

    public TradingProblemException() : this(HttpStatusCode.InternalServerError, null, "Problem", null)
    {
    }

    public TradingProblemException(string message) : this(HttpStatusCode.InternalServerError, null, message, null)
    {
    }

    public TradingProblemException(string message, Exception innerException) : base(message, innerException)
    {
        Status = HttpStatusCode.InternalServerError;
        Slug = "internal";
        Title = message;
        Errors = new Dictionary<string, string[]>();
    }

    public HttpStatusCode Status { get; }

    public string? Type { get; }

    /// <summary>The last path segment of <see cref="Type"/>, or the HTTP status in words when the answer had no problem type.</summary>
    public string Slug { get; }

    public string Title { get; }

    public string? Detail { get; }

    public string? Rule { get; }

    public string? Basis { get; }

    /// <summary>Field → messages, for validation problems.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public string? Instance { get; }

    /// <summary>Only <c>concurrency-conflict</c> and <c>idempotency-in-flight</c> are safe to retry as they are.</summary>
    public bool IsRetryable => Slug is "concurrency-conflict" or "idempotency-in-flight" || Status == HttpStatusCode.TooManyRequests;

    private static string SlugOf(string? type, HttpStatusCode status)
    {
        if (!string.IsNullOrEmpty(type))
        {
            var slash = type.TrimEnd('/').LastIndexOf('/');
            return slash >= 0 ? type.TrimEnd('/')[(slash + 1)..] : type;
        }
        return status switch
        {
            HttpStatusCode.Unauthorized => "unauthorized",
            HttpStatusCode.Forbidden => "forbidden",
            HttpStatusCode.NotFound => "not-found",
            _ => ((int)status).ToString(CultureInfo.InvariantCulture),
        };
    }

    private static string Describe(
        HttpStatusCode status, string? type, string title, string? detail, string? rule, string? basis, IReadOnlyDictionary<string, string[]>? errors)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{title} ({(int)status} {SlugOf(type, status)})");
        if (!string.IsNullOrWhiteSpace(detail))
            text.Append(CultureInfo.InvariantCulture, $": {detail}");
        foreach (var (field, messages) in errors ?? new Dictionary<string, string[]>())
        {
            if (messages.Length == 1 && messages[0] == detail)
                continue;
            text.Append(CultureInfo.InvariantCulture, $" [{field}: {string.Join("; ", messages)}]");
        }
        if (rule is not null)
            text.Append(CultureInfo.InvariantCulture, $" — rule {rule}{(basis is null ? "" : $" ({basis})")}");
        return text.ToString();
    }
}
