using Trading.Domain.Rules;

namespace Trading.Domain.Tests.Rules;

public class RulebookTests
{
    // The ids of RULES.md, table by table, then the rules added beside it.
    private static readonly string[] Ids =
    [
        "entry-required", "entry-approval-separation", "min-bidding-period", "clarification-lead", "doc-objection-lead",
        "bid-security-cap", "price-floor-forbidden", "downloader-secrecy",
        "sealed-only", "instant-receipt", "deadline-passed", "one-bid-per-bidder", "no-early-decryption",
        "opening-at-deadline", "min-bidders", "decryption-window", "opening-objection", "scoring-frozen", "v1-kinds",
        "opening-record",
        "panel-size", "panel-expert-share", "random-draw", "expert-conflict", "panel-secrecy", "stated-criteria-only",
        "mandatory-rejection", "score-trimming", "tie-break", "expert-rotation", "score-deviation", "max-candidates",
        "report-signed",
        "publicity-start", "publicity-period", "objection-suspends", "award-first-candidate", "award-notice-all",
        "contract-deadline", "report-to-supervisor",
        "supervisor-never-operates", "operator-never-bids", "audit-trail", "collusion-indicators", "conflicted-bidders",
        "entry-approval-deadline", "supervisor-suspension", "complaint-filing", "complaint-acceptance",
        "complaint-decision", "overdue-alerts", "decryption-withheld", "bid-rigging-screens",
        "tenderee-never-bids",
    ];

    [Fact]
    public void The_rulebook_holds_every_rule_of_RULES_md_in_order_plus_tenderee_never_bids()
    {
        Assert.Equal(Ids, Rulebook.All.Select(rule => rule.Id));
    }

    [Fact]
    public void Every_rule_has_a_basis_and_a_title()
    {
        Assert.All(Rulebook.All, rule =>
        {
            Assert.False(string.IsNullOrWhiteSpace(rule.Basis), rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Title), rule.Id);
        });
    }

    [Theory]
    [InlineData("min-bidding-period", "L1 第24条")]
    [InlineData("clarification-lead", "L1 第23条; L2 第21条")]
    [InlineData("entry-required", "统一进场; 39号令 第8条")]
    [InlineData("deadline-passed", "L1 第28–29条; E 第27条")]
    [InlineData("one-bid-per-bidder", "L2 第51条(4)")]
    [InlineData("decryption-window", "E 第30–31条")]
    [InlineData("tie-break", "评标委员会和评标方法暂行规定")]
    [InlineData("audit-trail", "E (监督管理章)")]
    [InlineData("entry-approval-deadline", "限时办结")]
    [InlineData("overdue-alerts", "限时办结; 电子监察")]
    [InlineData("tenderee-never-bids", "L2 第34条")]
    public void A_rule_is_found_by_id_with_its_basis_as_RULES_md_writes_it(string id, string basis)
    {
        var rule = Rulebook.ById(id);
        Assert.Equal(id, rule.Id);
        Assert.Equal(basis, rule.Basis);
    }

    [Fact]
    public void The_fields_are_the_rules_found_by_id()
    {
        Assert.Same(Rulebook.MinBiddingPeriod, Rulebook.ById("min-bidding-period"));
        Assert.Same(Rulebook.TendereeNeverBids, Rulebook.ById("tenderee-never-bids"));
        Assert.Equal("the tenderee or agent of a tender cannot bid on it", Rulebook.TendereeNeverBids.Title);
    }

    [Fact]
    public void An_unknown_id_is_refused()
    {
        Assert.Throws<KeyNotFoundException>(() => Rulebook.ById("min-bidding-days"));
        Assert.False(Rulebook.TryGetById("MIN-BIDDING-PERIOD", out _));
        Assert.True(Rulebook.TryGetById("min-bidders", out var rule));
        Assert.Same(Rulebook.MinBidders, rule);
    }
}
