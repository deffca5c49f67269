"""联合执法 against 散乱污 sites (相城区 mechanism, PROCEDURES.md §G): a town's request, the
leading group's approval, the plan and its approval, each unit's part as a ledger assignment
due 7 working days from the plan's approval, the site's result (关停取缔 / 整合搬迁 / 升级改造
with the 两断三清 checklist and photos) and its verification by someone else."""
