using Trading.Domain.Rules;

namespace Trading.Domain.Tests.Rules;

public class RuleSetTests
{
    private static readonly RuleSet Law = RuleSet.NationalDefaults;

    private static RuleSet Configured(params (string Key, string Value)[] values) =>
        RuleSet.FromConfiguration(values.ToDictionary(v => v.Key, v => v.Value), Law);

    [Fact]
    public void The_national_defaults_are_the_legal_values()
    {
        Assert.Equal("cn-national@1", Law.Id);
        Assert.Equal("20d", Law.MinBiddingPeriod.ToString());
        Assert.Equal("15d", Law.ClarificationLead.ToString());
        Assert.Equal("10d", Law.DocObjectionLead.ToString());
        Assert.Equal("3d", Law.DocObjectionAnswer.ToString());
        Assert.Equal(0.02m, Law.BidSecurityCap);
        Assert.Equal(3, Law.MinBidders);
        Assert.Equal(TimeSpan.FromMinutes(60), Law.DecryptionWindow.Duration);
        Assert.True(Law.DecryptionWindow.IsExact);
        Assert.Equal(30, Law.DecryptionWindowMinMinutes);
        Assert.Equal(120, Law.DecryptionWindowMaxMinutes);
        Assert.Equal("2wd", Law.EntryApprovalDeadline.ToString());
        Assert.Equal(0.75m, Law.OverdueAlerts);
    }

    [Fact]
    public void The_national_defaults_are_not_weaker_than_themselves()
    {
        Assert.Empty(Law.WeakerThanLaw(Law));
    }

    [Fact]
    public void Empty_configuration_gives_the_defaults()
    {
        Assert.Equal(Law, Configured());
    }

    [Fact]
    public void Configuration_overrides_each_named_value_and_the_id()
    {
        var set = Configured(
            ("RuleSetId", "cn-zj-nb@2"),
            ("MinBiddingPeriod", "25d"),
            ("ClarificationLead", "16d"),
            ("DocObjectionLead", "10d"),
            ("DocObjectionAnswer", "2d"),
            ("BidSecurityCap", "0.015"),
            ("MinBidders", "4"),
            ("DecryptionWindow", "00:45:00"),
            ("DecryptionWindowMinMinutes", "40"),
            ("DecryptionWindowMaxMinutes", "90"),
            ("EntryApprovalDeadline", "1wd"),
            ("OverdueAlerts", "0.5"));

        Assert.Equal(
            new RuleSet("cn-zj-nb@2", RuleValue.CalendarDays(25), RuleValue.CalendarDays(16), RuleValue.CalendarDays(10),
                RuleValue.CalendarDays(2), 0.015m, 4, RuleValue.Exact(TimeSpan.FromMinutes(45)), 40, 90, RuleValue.WorkingDays(1), 0.5m),
            set);
        Assert.Empty(set.WeakerThanLaw(Law));
    }

    [Fact]
    public void Configuration_keys_are_case_insensitive_like_dotnet_configuration()
    {
        Assert.Equal(RuleValue.CalendarDays(30), Configured(("minbiddingperiod", "30d")).MinBiddingPeriod);
        Assert.Equal("demo@1", Configured(("RULESETID", "demo@1")).Id);
    }

    [Theory]
    [InlineData("MinBiddingPeriod", "20")]
    [InlineData("ClarificationLead", "fifteen days")]
    [InlineData("DocObjectionLead", "0d")]
    [InlineData("DocObjectionAnswer", "")]
    [InlineData("BidSecurityCap", "2%")]
    [InlineData("BidSecurityCap", "0")]
    [InlineData("BidSecurityCap", "1.5")]
    [InlineData("BidSecurityCap", "0,02")]
    [InlineData("MinBidders", "0")]
    [InlineData("MinBidders", "three")]
    [InlineData("MinBidders", "-3")]
    [InlineData("DecryptionWindow", "1d")]
    [InlineData("DecryptionWindow", "60")]
    [InlineData("DecryptionWindowMinMinutes", "30.5")]
    [InlineData("EntryApprovalDeadline", "2 working days")]
    [InlineData("OverdueAlerts", "75%")]
    [InlineData("OverdueAlerts", "0")]
    [InlineData("OverdueAlerts", "1")]
    [InlineData("OverdueAlerts", "1.5")]
    [InlineData("RuleSetId", " ")]
    [InlineData("MinBiddingPeriodDays", "20d")]
    public void A_bad_value_or_an_unknown_key_is_refused_naming_both(string key, string value)
    {
        var refused = Assert.Throws<RuleConfigurationException>(() => Configured((key, value)));
        Assert.Equal(key, refused.Key);
        Assert.Equal(value, refused.Value);
        Assert.Contains(key, refused.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_tender_window_bounds_that_cross_are_refused()
    {
        var refused = Assert.Throws<RuleConfigurationException>(() =>
            Configured(("DecryptionWindowMinMinutes", "90"), ("DecryptionWindowMaxMinutes", "60")));
        Assert.Equal("DecryptionWindowMinMinutes", refused.Key);
    }

    [Fact]
    public void A_demo_rule_set_with_exact_durations_is_weaker_than_the_law()
    {
        var demo = Configured(
            ("RuleSetId", "demo@1"),
            ("MinBiddingPeriod", "00:02:00"),
            ("ClarificationLead", "00:00:30"),
            ("DecryptionWindow", "00:00:20"));

        var weaker = demo.WeakerThanLaw(Law);

        Assert.Equal(3, weaker.Count);
        Assert.StartsWith("min-bidding-period: 00:02:00", weaker[0], StringComparison.Ordinal);
        Assert.Contains("L1 第24条", weaker[0], StringComparison.Ordinal);
        Assert.StartsWith("clarification-lead:", weaker[1], StringComparison.Ordinal);
        Assert.StartsWith("decryption-window: 00:00:20", weaker[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MinBiddingPeriod", "19d", true)]
    [InlineData("MinBiddingPeriod", "21d", false)]
    [InlineData("MinBiddingPeriod", "20wd", false)] // N working days are never fewer than N calendar days
    [InlineData("MinBiddingPeriod", "15wd", true)] // not surely as long
    [InlineData("MinBiddingPeriod", "20.00:00:00", true)] // exact is weaker than any legal period in days
    [InlineData("ClarificationLead", "14d", true)]
    [InlineData("ClarificationLead", "15d", false)]
    [InlineData("DocObjectionLead", "9d", true)]
    [InlineData("DocObjectionLead", "11d", true)] // would take days of objection that L2 第22条 grants
    [InlineData("DocObjectionLead", "10wd", true)]
    [InlineData("DocObjectionAnswer", "4d", true)]
    [InlineData("DocObjectionAnswer", "2d", false)]
    [InlineData("DocObjectionAnswer", "3wd", true)]
    [InlineData("DocObjectionAnswer", "01:00:00", true)]
    [InlineData("BidSecurityCap", "0.021", true)]
    [InlineData("BidSecurityCap", "0.02", false)]
    [InlineData("BidSecurityCap", "0.01", false)]
    [InlineData("MinBidders", "2", true)]
    [InlineData("MinBidders", "5", false)]
    [InlineData("DecryptionWindow", "00:29:59", true)]
    [InlineData("DecryptionWindow", "00:30:00", false)]
    [InlineData("DecryptionWindow", "02:00:00", false)]
    [InlineData("DecryptionWindow", "02:00:01", true)]
    [InlineData("DecryptionWindowMinMinutes", "29", true)]
    [InlineData("DecryptionWindowMinMinutes", "45", false)]
    [InlineData("DecryptionWindowMaxMinutes", "121", true)]
    [InlineData("DecryptionWindowMaxMinutes", "90", false)]
    [InlineData("EntryApprovalDeadline", "3wd", true)]
    [InlineData("EntryApprovalDeadline", "1wd", false)]
    [InlineData("EntryApprovalDeadline", "2d", false)] // N calendar days never hold more working days than N
    [InlineData("EntryApprovalDeadline", "5d", true)]
    [InlineData("OverdueAlerts", "0.8", true)] // a later yellow alert
    [InlineData("OverdueAlerts", "0.75", false)]
    [InlineData("OverdueAlerts", "0.5", false)]
    [InlineData("PanelSize", "4", true)]
    [InlineData("PanelSize", "5", false)]
    [InlineData("PanelSize", "7", false)]
    [InlineData("PanelExpertShare", "3/5", true)]
    [InlineData("PanelExpertShare", "2/3", false)]
    [InlineData("PanelExpertShare", "4/5", false)]
    [InlineData("ExpertRotationMonths", "5", true)]
    [InlineData("ExpertRotationMonths", "12", false)]
    [InlineData("ScoreDeviation", "0.31", true)]
    [InlineData("ScoreDeviation", "0.2", false)]
    [InlineData("MaxCandidates", "4", true)]
    [InlineData("MaxCandidates", "1", false)]
    [InlineData("PublicityStart", "4d", true)]
    [InlineData("PublicityStart", "2d", false)]
    [InlineData("PublicityPeriod", "2d", true)]
    [InlineData("PublicityPeriod", "5d", false)]
    [InlineData("PublicityPeriod", "00:00:10", true)]
    [InlineData("ResultObjectionAnswer", "4d", true)]
    [InlineData("ContractDeadline", "31d", true)]
    [InlineData("ContractDeadline", "30d", false)]
    [InlineData("ReportToSupervisor", "16d", true)]
    [InlineData("ReportToSupervisor", "15d", false)]
    [InlineData("ComplaintFiling", "9d", true)] // the complainant's right: shorter is weaker
    [InlineData("ComplaintFiling", "10d", false)]
    [InlineData("ComplaintFiling", "15d", false)]
    [InlineData("ComplaintAcceptance", "4wd", true)]
    [InlineData("ComplaintAcceptance", "3wd", false)]
    [InlineData("ComplaintAcceptance", "3d", false)] // N calendar days never hold more working days than N
    [InlineData("ComplaintDecision", "31wd", true)]
    [InlineData("ComplaintDecision", "20wd", false)]
    [InlineData("ComplaintDecision", "00:00:20", true)]
    public void A_single_value_is_weaker_than_the_law_or_not(string key, string value, bool weaker)
    {
        var set = Configured((key, value));
        Assert.Equal(weaker ? 1 : 0, set.WeakerThanLaw(Law).Count);
    }

    [Fact]
    public void Resolved_values_are_keyed_by_rule_id_in_their_canonical_text()
    {
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["bid-security-cap"] = "0.02",
                ["clarification-lead"] = "15d",
                ["complaint-acceptance"] = "3wd",
                ["complaint-decision"] = "30wd",
                ["complaint-filing"] = "10d",
                ["contract-deadline"] = "30d",
                ["decryption-window"] = "01:00:00",
                ["decryption-window-max-minutes"] = "120",
                ["decryption-window-min-minutes"] = "30",
                ["doc-objection-answer"] = "3d",
                ["doc-objection-lead"] = "10d",
                ["entry-approval-deadline"] = "2wd",
                ["expert-rotation"] = "6",
                ["max-candidates"] = "3",
                ["min-bidders"] = "3",
                ["min-bidding-period"] = "20d",
                ["objection-suspends"] = "3d",
                ["overdue-alerts"] = "0.75",
                ["panel-expert-share"] = "2/3",
                ["panel-size"] = "5",
                ["publicity-period"] = "3d",
                ["publicity-start"] = "3d",
                ["report-to-supervisor"] = "15d",
                ["score-deviation"] = "0.30",
                ["score-trimming"] = "7",
            },
            Law.Resolved());
        Assert.Equal(Law.Resolved().Keys.Order(StringComparer.Ordinal), Law.Resolved().Keys);
    }

    [Fact]
    public void Resolved_keys_that_name_a_rule_use_the_rulebook_id()
    {
        var resolved = Law.Resolved();
        foreach (var rule in new[]
        {
            Rulebook.MinBiddingPeriod, Rulebook.ClarificationLead, Rulebook.DocObjectionLead, Rulebook.BidSecurityCap,
            Rulebook.MinBidders, Rulebook.DecryptionWindow, Rulebook.EntryApprovalDeadline, Rulebook.OverdueAlerts,
            Rulebook.ComplaintFiling, Rulebook.ComplaintAcceptance, Rulebook.ComplaintDecision,
        })
        {
            Assert.True(resolved.ContainsKey(rule.Id), rule.Id);
        }
    }

    [Fact]
    public void A_recorded_rule_set_is_rebuilt_from_its_resolved_values()
    {
        var set = Configured(("RuleSetId", "demo@1"), ("MinBiddingPeriod", "00:02:00"), ("BidSecurityCap", "0.015"));
        Assert.Equal(set, RuleSet.FromResolved("demo@1", set.Resolved()));
        Assert.Equal(Law, RuleSet.FromResolved(Law.Id, Law.Resolved()));
    }

    [Fact]
    public void A_recorded_rule_set_missing_a_value_is_refused()
    {
        var resolved = Law.Resolved().Where(p => p.Key != "min-bidders").ToDictionary();
        var refused = Assert.Throws<RuleConfigurationException>(() => RuleSet.FromResolved(Law.Id, resolved));
        Assert.Equal("min-bidders", refused.Key);
    }

    [Fact]
    public void A_recorded_rule_set_with_a_bad_value_is_refused_naming_the_rule_id()
    {
        var resolved = Law.Resolved().ToDictionary();
        resolved["min-bidding-period"] = "20";
        var refused = Assert.Throws<RuleConfigurationException>(() => RuleSet.FromResolved(Law.Id, resolved));
        Assert.Equal("min-bidding-period", refused.Key);
        Assert.Equal("20", refused.Value);
    }
}
