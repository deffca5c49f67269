"""巡察 / 专项监督 (issue 14, part 2): the 纪委's campaigns, their targets, visits and findings,
the 监督意见书 and the inspected body's rectification, and dispositions under the four forms."""
