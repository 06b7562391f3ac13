namespace Trading.Domain.Rules;

/// <summary>A rule set in configuration that cannot be read: names the key and the bad value.</summary>
public sealed class RuleConfigurationException : Exception
{
    public RuleConfigurationException()
    {
    }

    public RuleConfigurationException(string message)
        : base(message)
    {
    }

    public RuleConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RuleConfigurationException(string key, string? value, string reason)
        : base($"Rule configuration '{key}' = '{value}': {reason}")
    {
        Key = key;
        Value = value;
    }

    public string? Key { get; }

    public string? Value { get; }
}
