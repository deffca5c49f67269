"""人大 专题询问 and 审议意见 (PROCEDURES.md §D): the sitting, each question and the answering
department's answer, the 审议意见 with the day the city government received it, the tasks it
spawns as ledger problems (deadlines anchored on the receipt), the government's handling
report due ``received + 3 months`` (``npc.report``) with its DOCX draft, the optional
满意度测评 and the 跟踪监督 rounds."""
