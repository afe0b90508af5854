"""The console's words, in Chinese (the default) and English; pure, no web framework.

A page asks ``words(lang)[key]``. The language is the ``lang`` cookie when set (``/lang/en``, ``/lang/zh``),
else the first of ``Accept-Language`` this console knows, else Chinese: the users are township officers.
"""

from __future__ import annotations

from typing import Literal

from service.console.desk_words import DESK_WORDS

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_WORDS: dict[str, tuple[str, str]] = {
    "app": ("综合行政执法办案平台", "Enforcement case console"),
    "skip": ("跳到正文", "Skip to content"),
    "signin": ("登录", "Sign in"),
    "signout": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "signin_failed": ("登录失败", "Sign-in failed"),
    "signin_again": ("会话已结束，请重新登录", "Your session ended: sign in again"),
    "language": ("English", "中文"),
    "show_item": ("查看该事项", "Show the item"),
    "home": ("首页", "Home"),
    "my_cases": ("我的案件", "My cases"),
    "agency_cases": ("本机关案件（最新在前）", "The agency's cases, newest first"),
    "asked_on": ("请示于", " asked on"),
    # An application for an officer's recusal on the head's desk (第四十三条): whose, and who applied.
    "recusal_by_party": ("当事人申请{officer}回避", "the party applies for the recusal of {officer}"),
    "recusal_by_officer": ("{officer}本人申请回避", "{officer} withdraws"),
    "recorded_on": ("记录于", " recorded on"),
    "asked_waiting": ("已请示、待负责人决定", "Asked for, waiting for the head"),
    "entry_hash": ("记录哈希值", "Entry hash"),
    # A signing key and where it stands (service/signing/): registered, approved by the admin, revoked.
    "key_id": ("密钥编号", "Key id"),
    "key_pending": ("待批准", "pending"),
    "key_approved": ("已批准", "approved"),
    "key_revoked": ("已撤销", "revoked"),
    # The case file beside a legal review, in words (the reviewer's page).
    "filed_at": ("立案时间", "Filed"),
    "proposed_penalty": ("拟作出的行政处罚", "Intended penalty"),
    "major_case": ("重大执法决定", "Major decision"),
    "statement_status": ("陈述、申辩", "Statement and defence"),
    "statement_none": ("尚未陈述、申辩", "none yet"),
    "statement_recorded": ("已记录陈述、申辩", "recorded"),
    "statement_waived": ("当事人放弃陈述、申辩", "waived by the party"),
    # What to do on the page about a rule that refused a step, where the page can say it.
    "remedy_two_qualified_officers": (
        "请在“共同执法人员”中勾选另一名当前具备该事项执法资格的执法人员。",
        "Tick another officer qualified for the item now under “Second officer”.",
    ),
    "no_more_evidence": ("本案所处阶段不再收集证据。", "This case no longer collects evidence at this stage."),
    # Where a legal review stands on the reviewer's queue (service/console/desks.py, review_queue).
    "queue_requested": ("已提请，待接收", "requested, not yet taken"),
    "queue_taken": ("已接收，审核中", "taken, under review"),
    "queue_opinion": ("已出具意见，待签名", "opinion given, to sign"),
    # Money typed in yuan (the form sends fen), numbers typed in a row, the case's records a decision cites.
    "yuan_hint": ("单位：元，可精确到分，如 300 或 300.50", "In yuan, to the fen: e.g. 300 or 300.50"),
    "numbers_hint": ("填写编号，以逗号、顿号或空格分隔", "Numbers, separated by commas or spaces"),
    "entry_number": ("第{n}号记录", "Entry {n}:"),
    "no_evidence_recorded": ("本案尚未记录证据。", "No evidence is recorded in this case yet."),
    "due": ("办理期限", "What is due"),
    "no_cases": ("暂无案件", "No cases"),
    "no_deadlines": ("暂无期限", "Nothing due"),
    "new_case": ("登记案件", "Register a case"),
    "case": ("案件", "Case"),
    "number": ("案号", "Number"),
    "title": ("案由", "Matter"),
    "state": ("状态", "State"),
    "item": ("执法事项", "Enforcement item"),
    "registered_at": ("登记时间", "Registered"),
    "times_in_beijing": ("本平台显示的时间均为北京时间。", "Times on these pages are Beijing time (UTC+8)."),
    "deadline": ("期限", "Deadline"),
    "due_on": ("截止日期", "Due on"),
    "overdue": ("已超期", "overdue"),
    "due_soon": ("即将到期", "due soon"),
    "provisional": ("暂定", "provisional"),
    "basis": ("依据", "Basis"),
    "legal_basis": ("违法依据与处罚依据", "Legal basis"),
    "discretion": ("裁量基准", "Discretion"),
    "statutory_fine": ("法定罚款幅度", "Statutory fine"),
    "individual": ("公民", "Individual"),
    "organisation": ("法人或其他组织", "Organisation"),
    "party": ("当事人", "Party"),
    "party_type": ("当事人类型", "Party type"),
    "party_name": ("当事人姓名或名称", "Party's name"),
    "id_number": ("证件号码", "ID number"),
    "phone": ("联系电话", "Phone"),
    "address": ("地址", "Address"),
    "source_kind": ("案件来源", "Source"),
    "source_description": ("案件来源说明", "About the source"),
    "occurred_on": ("违法行为发生日期", "Occurred on"),
    "needed_for_filing": ("立案前须填写", "needed before filing"),
    "time_bar_hint": (
        "违法行为在二年内未被发现的，不再给予行政处罚（行政处罚法第三十六条）",
        "An act not discovered within two years is no longer penalised (art. 36)",
    ),
    "continued_until": ("连续或继续状态终了日期", "Continuing act ended on"),
    "harms_life_health_or_finance": (
        "涉及公民生命健康安全、金融安全且有危害后果",
        "Harmed life, health or financial safety",
    ),
    "area_code": ("城市管理区域（市容事项须选择）", "Designated urban area (required for urban-only items)"),
    "place": ("地点", "Place"),
    "procedure": ("程序", "Procedure"),
    "general": ("普通程序", "General procedure"),
    "summary": ("简易程序", "Summary procedure"),
    "submit": ("提交", "Submit"),
    "record": ("记录", "Record"),
    "next_steps": ("可办理的环节", "Steps you can take now"),
    "blocked_steps": ("暂不能办理的环节", "Steps blocked now"),
    "their_steps": ("由其他岗位办理的环节", "Steps others take now"),
    "role_officer": ("执法人员", "officer"),
    "role_reviewer": ("法制审核人员", "legal reviewer"),
    "role_head": ("负责人", "head"),
    "role_supervisor": ("监督人员", "supervisor"),
    "role_admin": ("系统管理员", "admin"),
    "no_steps": ("当前没有可办理的环节", "No step can be taken now"),
    "refused": ("未予办理", "Refused"),
    "article": ("法律依据", "Article"),
    "officers": ("执法人员", "Officers"),
    "second_officer": ("共同执法人员", "Second officer"),
    "qualified_now": ("当前具备该事项执法资格", "qualified for this item now"),
    "not_qualified": ("不具备资格", "not qualified"),
    "none_selected": ("（不选）", "(none)"),
    "claimed_at": ("实际办理时间（补录时填写）", "When it happened (if logged later)"),
    "reason": ("理由", "Reason"),
    "files": ("证据", "Evidence"),
    "upload": ("上传证据", "Upload evidence"),
    "custody": ("保管记录", "Chain of custody"),
    "record_custody": ("登记保管变更", "Record a custody change"),
    "custody_event": ("保管事件", "Event"),
    "custody_holder": ("现保管人（处所）", "Now held by"),
    "custody_note": (
        "备注（退还、销毁须写明依据：处理决定或法律规定）",
        "Note (returned or destroyed: the decision or law that lets it go)",
    ),
    "custody_two": (
        "退还、销毁须由两名以上具有执法资格的执法人员办理。",
        "Returned or destroyed: two qualified officers handle it.",
    ),
    "file": ("文件", "File"),
    "kind": ("证据种类", "Kind"),
    "description": ("说明", "Description"),
    "uploading": ("正在上传", "Uploading"),
    "history": ("办案记录", "History"),
    "who": ("操作人", "Who"),
    "claimed": ("办理时间", "Claimed"),
    "recorded": ("记录时间", "Recorded"),
    "what": ("事项", "What"),
    "verifies": ("校验", "Verifies"),
    "chain_ok": ("哈希链完整", "chain intact"),
    "chain_bad": ("哈希链异常", "chain broken"),
    "approvals": ("待审批", "Approvals waiting"),
    "reviews": ("法制审核", "Legal reviews"),
    "audit": ("监督", "Audit"),
    "all_cases": ("全部案件", "All cases"),
    "users": ("用户与角色", "Users and roles"),
    "roles": ("角色", "Roles"),
    "disabled": ("已停用", "disabled"),
    "active": ("在用", "active"),
    "public": ("公示", "Public"),
    "public_items": ("执法事项清单", "Enforcement items"),
    "public_officers": ("执法人员名单", "Certified officers"),
    "public_decisions": ("行政处罚决定公示", "Published decisions"),
    "public_documents": ("文书核验", "Verify a document"),
    "document_reference": (
        "文书编号（印在每页页脚）或文件的 SHA-256",
        "The identifier printed on every page, or the file's SHA-256",
    ),
    "verify_document": ("核验", "Verify"),
    "document_not_issued": ("本机关未制发该编号的文书。", "This agency issued no document with that identifier."),
    "document_issued": ("本机关已制发并记录此文书", "This agency issued and recorded this document"),
    "issuing_agency": ("制发机关", "Issued by"),
    "document": ("文书", "Document"),
    "document_number": ("文书编号", "Document number"),
    "catalogue_title": ("目录名称", "Catalogue title"),
    "printed_id": ("文书编号", "Printed identifier"),
    "recorded_at": ("记录时间", "Recorded at"),
    "ledger_position": ("账本位置（条目 / 检查点大小）", "Place in the ledger (leaf / checkpoint size)"),
    "verify_offline": ("离线核验：", "To verify offline:"),
    "certificate": ("执法证", "Certificate"),
    "expires_on": ("有效期至", "Expires on"),
    "status": ("状态", "Status"),
    "unit": ("单位", "Unit"),
    "name": ("姓名", "Name"),
    "decided_on": ("决定日期", "Decided on"),
    "outcome": ("处理结果", "Outcome"),
    "none": ("无", "none"),
    "back": ("返回", "Back"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "forbidden": ("无权访问", "Not allowed"),
    "not_found": ("未找到", "Not found"),
    "error": ("出错了", "Something went wrong"),
    "form_expired": ("表单已过期，请刷新后重试", "The form expired: reload and try again"),
    "version_seen": ("办理时看到的案件版本", "Case version seen"),
    "one_per_line": ("每行一项", "one per line"),
    "required": ("必填", "required"),
    "offline_queued": ("网络不可用：已保存在本设备，联网后自动提交", "No network: kept on this device, sent when back"),
    "offline_pending": ("待提交的离线记录", "Acts waiting to be sent"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "agency": ("执法主体", "Agency"),
    "menu": ("导航", "Navigation"),
    "keys": ("签名密钥", "Signing keys"),
    "verify_in_browser": ("在浏览器中验证", "Verify in this browser"),
    "verify_explained": (
        "浏览器自行计算每条记录的哈希，按包含证明推算默克尔树根，并用首次使用时固定的验证公钥核验检查点签名；"
        "请将公钥指纹与本机关公告或文书上印制的指纹比对。",
        "The browser hashes each entry, rebuilds the Merkle root from its inclusion proof and checks the "
        "checkpoint's signature with the verifier key it pinned at first use; compare the fingerprint with the one "
        "the agency publishes in its notices and documents.",
    ),
    "fingerprint": ("验证公钥指纹", "Verifier key fingerprint"),
    "in_browser": ("浏览器验证", "In this browser"),
    "keys_explained": (
        "密钥在本浏览器中生成，私钥不可导出，只保存在本浏览器；服务器只登记公钥，须经管理员批准后方可使用。",
        "The key is made in this browser; its private half cannot be exported and stays here. The server registers "
        "only the public key, which an admin approves before it is used.",
    ),
    "make_key": ("在本浏览器中生成签名密钥", "Make a signing key in this browser"),
    "case_file": ("案卷", "Case file"),
    "review_opinion": ("审核意见", "Opinion"),
    "materials": ("送审材料", "Materials"),
    "take_review": ("承办本审核", "Take this review"),
    "passed": ("无问题", "passed"),
    "problem": ("存在问题", "problem"),
    "agree": ("同意", "agree"),
    "problems_found": ("存在问题", "problems found"),
    "statement": ("待签名的声明（全文）", "The statement to sign, in full"),
    "sign_statement": ("用本浏览器中的密钥签名", "Sign with this browser's key"),
    "signed": ("已签名", "signed"),
    # Signing for every signer, and the head's desk.
    "statement_explained": (
        "签名的是上面这段声明的原始字节；私钥不离开本浏览器，服务器只核验签名，不能代为签名。",
        "What is signed is the exact bytes of the statement above; the private key never leaves this browser and "
        "the server only verifies the signature: it cannot sign for you.",
    ),
    # Between a label and what it labels: full-width in Chinese, a colon and a space in English.
    "colon": ("：", ": "),
    # Around an aside (a unit, a username, a citation): full-width in Chinese; in English a space, then ( and ).
    "lp": ("（", " ("),
    "rp": ("）", ")"),
    # Between the items of an enumeration: the enumeration comma in Chinese, a comma and a space in English.
    "sep": ("、", ", "),
    "signoff_decision": ("签署处理决定", "Sign the decision"),
    "issue_decision_document": ("制发决定书", "Issue the decision's document"),
    # 市场监督管理行政处罚程序规定 第七十七条: the form asks the head to approve a closure the case's rules allow.
    "closing_held": (
        "尚不能制作结案审批表：案件尚不能结案",
        "No closing approval (结案审批表) yet: the case cannot be closed yet",
    ),
    "signoff_collective_discussion": ("签署集体讨论记录", "Sign the collective discussion's record"),
    "signed_subject": ("签署内容", "What is signed"),
    "signature": ("签名", "Signature"),
    "nothing_to_sign": ("本案没有待签署的相应文书", "Nothing of this kind to sign in this case"),
    "chair_signs": ("集体讨论记录须由主持人签署", "The chair signs the discussion's record"),
    "attendance": ("出席人员", "Attendance"),
    "heads_present": ("出席的负责人", "Heads present"),
    "head": ("负责人", "head"),
    "quorum_rule": (
        "本机关法制审核目录规定：集体讨论须有{n}名以上负责人参加，由出席的负责人主持",
        "The agency's review catalogue: at least {n} heads attend, and a head who attended chairs",
    ),
    "discussion_unsigned": ("集体讨论记录已录入，待主持人签署。", "The record is in; its chair has not signed it yet."),
    "decisions_to_sign": ("待签署的处理决定", "Decisions to sign"),
    "decisions_to_issue": (
        "已签署、待制发决定书（制发后方可送达）",
        "Signed decisions whose document is to be issued before service",
    ),
    "discussions_to_sign": ("待我签署的集体讨论记录（主持人）", "Discussion records I chaired, to sign"),
    "discussions_awaiting_chair": ("待主持人签署的集体讨论记录", "Discussion records awaiting their chair"),
    "discussions_needed": ("须经集体讨论的案件", "Cases needing a collective discussion"),
    "at_risk": ("全机关临期与超期事项", "Deadlines at risk across the agency"),
    "unknown_due": ("期限无法计算", "cannot be computed"),
    "discussion_form": (
        "改用集体讨论表：逐人勾选出席、填写意见，并核对法定人数",
        "Use the collective discussion's form: attendance, each one's opinion, the quorum counted",
    ),
}
_WORDS.update(DESK_WORDS)

# The staff register (工作人员名册, service/officers/staff_register.py).
_WORDS.update(
    {
        "staff_register": ("工作人员名册", "Staff register"),
        "staff_register_rule": (
            "含协管员、辅助执法人员和行政人员，无论是否有系统账号；培训、考试据此登记，不对外公开。",
            "Auxiliary and administrative staff too, with or without an account; trainings and exams name them. "
            "Never published.",
        ),
        "post": ("岗位", "Post"),
        "employment": ("用工性质", "Employment"),
        "joined_on": ("入职日期", "Joined on"),
        "left_on": ("离职日期", "Left on"),
        "account": ("系统账号", "Account"),
        "no_account": ("无", "none"),
        "add_staff_member": ("登记工作人员", "Add a person"),
    }
)


def words(lang: Lang) -> dict[str, str]:
    index = 0 if lang == "zh" else 1
    return {key: pair[index] for key, pair in _WORDS.items()}


def choose(cookie: str | None, accept_language: str | None) -> Lang:
    if cookie in LANGS:
        return "en" if cookie == "en" else "zh"
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


# The steps of the procedures (policies/workflows/), as a township officer names them.
STEP_NAMES: dict[str, tuple[str, str]] = {
    "approve_filing": ("批准立案", "Approve filing"),
    "refuse_filing": ("不予立案", "Refuse filing"),
    "record_inquiry": ("询问笔录", "Record an inquiry"),
    "record_inspection": ("现场检查笔录", "Record an inspection"),
    "request_preservation_approval": ("请示先行登记保存", "Ask to preserve evidence"),
    "approve_preservation": ("批准先行登记保存", "Approve preservation"),
    "register_preservation": ("先行登记保存", "Register preservation"),
    "decide_preservation": ("登记保存处理决定", "Decide on preserved items"),
    "request_seizure_approval": ("请示查封扣押", "Ask to seal or seize"),
    "approve_seizure": ("批准查封扣押", "Approve a seizure"),
    "decide_seizure": ("查封扣押决定", "Seal or seize"),
    "extend_seizure": ("延长查封扣押期限", "Extend a seizure"),
    "release_seizure": ("解除查封扣押", "Release a seizure"),
    "confiscate_seized": ("没收查封扣押财物", "Confiscate seized things"),
    "transfer_seized": ("查封扣押财物随案移送", "Transfer seized things"),
    "start_seizure_appraisal": ("查封扣押财物送检测鉴定", "Send seized things for testing"),
    "end_seizure_appraisal": ("检测鉴定结束", "End the testing of seized things"),
    "decide_order": ("作出责令决定", "Decide an order"),
    "order_correction": ("责令改正", "Order correction"),
    "reinspect_correction": ("复查改正情况", "Re-inspect the correction"),
    "record_court_execution": ("记录人民法院强制执行情况", "Record the court's execution"),
    "close_investigation": ("调查终结", "Close the investigation"),
    "reopen_investigation": ("补充调查", "Reopen the investigation"),
    "intend_penalty": ("拟作出处罚", "Intend a penalty"),
    "serve_prior_notice": ("送达事先告知书", "Serve the prior notice"),
    "request_hearing": ("当事人申请听证", "Party requests a hearing"),
    "schedule_hearing": ("安排听证", "Schedule the hearing"),
    "hold_hearing": ("举行听证", "Hold the hearing"),
    "record_hearing_waiver": ("放弃听证", "Hearing waived"),
    "record_statement": ("陈述申辩", "Record the statement"),
    "record_statement_waiver": ("放弃陈述申辩", "Statement waived"),
    "conclude_party_hearing": ("陈述申辩（听证）终结", "Conclude the party's hearing"),
    "record_circumstances": ("记录当事人情节", "Record the party's circumstances"),
    "apply_for_recusal": ("回避申请", "Record an application for recusal"),
    "decide_recusal": ("回避决定", "Decide a recusal"),
    "request_deadline_extension": ("请示延长办案期限", "Ask to extend the deadline"),
    "extend_decision_deadline": ("延长办案期限", "Extend the deadline"),
    "request_discretion_departure_approval": ("请示偏离裁量基准", "Ask to depart from the discretion standard"),
    "approve_discretion_departure": ("批准偏离裁量基准", "Approve a discretion departure"),
    "record_standard_setter_approval": (
        "记录区级部门批准调整适用裁量基准",
        "Record the district's approval of a departure",
    ),
    "request_legal_review": ("提请法制审核", "Request the legal review"),
    "record_collective_discussion": ("集体讨论", "Collective discussion"),
    "decide_penalty": ("作出处罚决定", "Decide the penalty"),
    "decide_on_the_spot": ("当场处罚决定", "Decide on the spot"),
    "decide_no_penalty": ("不予处罚决定", "Decide no penalty"),
    "transfer_to_judicial_organs": ("移送司法机关", "Transfer to judicial organs"),
    "serve_decision": ("送达处罚决定书", "Serve the decision"),
    "serve_decision_late": ("逾期送达处罚决定书", "Serve the decision late"),
    "record_payment": ("缴纳罚款", "Record the payment"),
    "record_execution": ("执行", "Record the execution"),
    "apply_for_instalments": ("申请分期、暂缓缴纳罚款", "Apply to pay in instalments or later"),
    "decide_instalments": ("批准分期、暂缓缴纳", "Decide on instalments or deferral"),
    "serve_reminder": ("催告", "Serve the reminder"),
    "apply_for_court_execution": ("申请法院强制执行", "Apply to the court for execution"),
    "end_execution": ("终结执行", "End execution"),
    "hear_execution_statement": ("听取当事人陈述申辩（强制执行）", "Hear the party before execution"),
    "decide_own_execution": ("作出强制执行决定", "Decide compulsory execution"),
    "announce_demolition": ("强制拆除公告", "Announce the demolition"),
    "carry_out_own_execution": ("实施强制执行", "Carry out the execution"),
    "record_restitution": ("执行回转（退还、恢复原状、赔偿）", "Record restitution"),
    "record_remedy_filed": ("行政复议、诉讼", "Record a reconsideration or lawsuit"),
    "record_remedy_result": ("复议、诉讼结果", "Record its result"),
    "record_court_appearance": ("负责人出庭应诉", "Record the head's court appearance"),
    "close_case": ("结案", "Close the case"),
    "archive_case": ("归档", "Archive"),
    "withdraw_case": ("撤销立案", "Withdraw the case"),
    "revoke_decision": ("撤销决定", "Revoke the decision"),
    "refer_to_general_procedure": ("转为普通程序", "Refer to the general procedure"),
    "file_with_agency": ("报所属机关备案", "File with the agency"),
}


def step_name(step: str, lang: Lang) -> str:
    pair = STEP_NAMES.get(step)
    return step if pair is None else pair[0 if lang == "zh" else 1]


# The entries of a case's chain that no step of its procedure records (a step's entry is named by its step).
ENTRY_NAMES: dict[str, tuple[str, str]] = {
    "case:case:registered": ("登记案件来源", "Case registered"),
    "case:number:assigned": ("编立案号", "Case number assigned"),
    "case:major_flag:set": ("认定重大案件", "Marked a major case"),
    "case:evidence:collected": ("收集证据", "Evidence collected"),
    "case:evidence:custody_changed": ("证据保管变更", "Evidence custody changed"),
    "case:legal_review:taken": ("受理法制审核", "Legal review taken"),
    "case:legal_review:recorded": ("法制审核意见", "Legal review opinion"),
    "case:legal_review:signed": ("法制审核意见签名", "Legal review signed"),
    "case:collective_discussion:signed": ("集体讨论记录签名", "Collective discussion record signed"),
    "case:decision:signed": ("处罚决定签名", "Decision signed"),
    "case:decision:published": ("公示处罚决定", "Decision published"),
    "case:publication:changed": ("公示变更后的决定", "Changed decision published"),
    "case:publication:withdrawn": ("撤回公示", "Publication withdrawn"),
    "case:document:issued": ("制作执法文书", "Document issued"),
    "case:deadlines:revised": ("期限重新计算", "Deadlines recounted"),
    "case:personal_data:disclosed": ("查阅当事人信息", "Party's data read"),
    "case:personal_data:erased": ("删除当事人信息", "Party's data erased"),
}


def entry_name(entry_type: str, lang: Lang) -> str:
    pair = ENTRY_NAMES.get(entry_type)
    return entry_type if pair is None else pair[0 if lang == "zh" else 1]


# The deadlines a case runs against (service/cases/schedule.py), by name; a seizure's is "seizure_<its number>".
DEADLINE_NAMES: dict[str, tuple[str, str]] = {
    "decision": ("作出处理决定", "Decision"),
    "statement": ("当事人陈述、申辩", "The party's statement and defence"),
    "hearing_request": ("当事人要求听证", "The party's request for a hearing"),
    "service": ("送达决定书", "Serving the decision"),
    "payment": ("缴纳罚款", "Payment of the fine"),
    "court_execution_application": ("申请人民法院强制执行", "Applying to the court for execution"),
    "preservation_decision": ("对先行登记保存的证据作出处理决定", "Deciding on the preserved evidence"),
    "seizure": ("查封、扣押期限", "Sealing or seizure"),
    "reminder_performance": ("催告履行期限", "Performance after the reminder"),
    "self_demolition": ("当事人自行拆除期限", "The party's own demolition"),
    "own_execution_remedy_periods": ("复议、诉讼期间届满", "The party's remedy periods"),
}


def deadline_name(name: str, lang: Lang) -> str:
    """A deadline's name in ``lang``; a seizure's with its number (第N项 / no. N)."""
    kind, number = ("seizure", name.removeprefix("seizure_")) if name.startswith("seizure_") else (name, "")
    pair = DEADLINE_NAMES.get(kind)
    if pair is None:
        return name
    if lang == "zh":
        return pair[0] + (f"（第{number}项）" if number else "")
    return pair[1] + (f" (no. {number})" if number else "")


# The fields of the steps' payloads (service/cases/payloads.py), by their last name; others keep the schema's title.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "amount_fen": ("金额（元）", "Amount (yuan)"),
    "attendees": ("参加人员", "Attendees"),
    "basis": ("依据", "Basis"),
    "calendar_days": ("日数", "Days"),
    "chair": ("主持人", "Chair"),
    # A request's (请示事由), a recusal application's, an execution's (强制执行的理由): 事由, not 理由 — the step's own
    # reason (理由) is another field of the same form.
    "grounds": ("事由", "Grounds"),
    "chair_officer_id": ("听证主持人", "Hearing chair"),
    "conclusion": ("结论", "Conclusion"),
    "confiscated_value_fen": ("没收财物价值（元）", "Confiscated value (yuan)"),
    "discretion_statement": ("裁量说明", "Discretion statement"),
    "facts": ("违法事实", "Facts"),
    "fine_fen": ("罚款金额（元）", "Fine (yuan)"),
    "form_number": ("文书编号", "Form number"),
    "held_on": ("举行日期", "Held on"),
    "informs_hearing_right": ("已告知听证权利", "Informs of the right to a hearing"),
    "informs_statement_and_defence": ("已告知陈述申辩权利", "Informs of statement and defence"),
    "items": ("物品", "Items"),
    "kinds": ("处罚种类", "Kinds of penalty"),
    "materials": ("送审材料", "Materials"),
    "measure": ("措施", "Measure"),
    "method": ("送达方式", "Method"),
    "non_fine_penalties_performed": ("其他处罚已履行", "Other penalties performed"),
    "officer_id": ("执法人员", "Officer"),
    "on_the_spot": ("当场", "On the spot"),
    "opinions": ("讨论意见", "Opinions"),
    "outcome": ("处理结果", "Outcome"),
    "paid_on": ("缴款日期", "Paid on"),
    "place": ("地点", "Place"),
    "reasons": ("理由", "Reasons"),
    "receipt": ("票据号", "Receipt"),
    "record": ("笔录", "Record"),
    "recused": ("决定回避", "Recused"),
    "report": ("调查终结报告", "Report"),
    "requested_by": ("申请人", "Requested by"),
    "scheduled_for": ("时间", "Scheduled for"),
    "subject": ("被询问人", "Subject"),
    "summary": ("内容", "Summary"),
}
# The district's approval of a departure (record_standard_setter_approval, 办法 第十九条第二款).
FIELD_NAMES.update(
    {
        "evidence_id": ("已上传的批准文件（证据编号）", "Uploaded approval document (evidence id)"),
        "approving_body": ("批准机关（基准制定机关）", "Approving body (that set the standard)"),
        "approver": ("批准人", "Approved by"),
        "approved_on": ("批准日期", "Approved on"),
        "reference_number": ("批准文号", "Reference number"),
    }
)

# The measures, the investigation and the decision (行政处罚法; 行政强制法 第十九条、第二十二条至第二十八条).
FIELD_NAMES.update(
    {
        "seizure": ("查封、扣押序号", "Seizure no."),
        "kind": ("种类", "Kind"),
        "reason": ("理由", "Reason"),
        "things": ("查封、扣押的场所、设施或者财物", "Places, facilities or things"),
        "urgent": ("情况紧急，当场实施", "Urgent, taken on the spot"),
        "delivered_on_the_spot": ("决定书和清单已当场交付", "Delivered on the spot"),
        "ground": ("情形", "Ground"),  # 第二十八条、第四十条: 有下列情形之一的
        "returned": ("退还情况", "Returned"),
        "institution": ("检测、鉴定机构", "Testing or appraisal institution"),
        "document": ("文书", "Document"),
        "result": ("结果", "Result"),
        "requirement": ("具体要求", "Requirement"),
        "deadline": ("期限", "Deadline"),
        "corrected": ("已改正", "Corrected"),
        "findings": ("查明情况", "Findings"),
        "evidence": ("所依据的证据", "Evidence relied on"),
        "defence": ("陈述和申辩", "Statement and defence"),
        "defence_waived": ("放弃陈述和申辩", "Statement and defence waived"),
    }
)
# The party's circumstances (行政处罚法 第二十九条至第三十三条) and a recusal (第四十三条).
FIELD_NAMES.update(
    {
        "age_at_act": ("违法行为时的年龄", "Age at the act"),
        "mental_capacity": ("辨认或者控制自己行为的能力", "Mental capacity"),
        "mitigations": ("应当从轻或者减轻的情形", "Mitigating grounds"),
        "minor_violation": ("违法行为轻微", "Minor violation"),
        "harm": ("危害后果", "Harm"),
        "corrected_in_time": ("及时改正", "Corrected in time"),
        "first_violation": ("初次违法", "First violation"),
        "no_fault_proven": ("有证据足以证明没有主观过错", "No fault proven"),
        "decision": ("已作出的罚款决定", "Earlier fine decision"),
        "applicant": ("申请人", "Applicant"),
    }
)
# Payment and its execution (行政处罚法 第六十六条至第七十条; 行政强制法 第三十五条至第四十四条、第五十三条).
FIELD_NAMES.update(
    {
        "collected_on_the_spot": ("当场收缴", "Collected on the spot"),
        "on_the_spot_ground": ("当场收缴的理由", "Ground for collecting on the spot"),
        "plan": ("缴纳计划", "Payment plan"),
        "hardship": ("经济困难情况", "Economic hardship"),
        "approved": ("批准", "Approved"),
        "perform_by": ("履行义务的期限", "Perform by"),
        "court": ("人民法院", "Court"),
        "statement": ("当事人的陈述和申辩", "The party's statement"),
        "review": ("复核意见", "Re-examination"),
        "accepted": ("予以采纳", "Accepted"),
        "manner": ("执行的措施", "Measure executed"),
        "execute_on": ("强制执行的时间", "Execute on"),
        "how": ("强制执行的方式", "How it is carried out"),
        "remedies": ("救济途径和期限", "Remedies"),
        "served_by": ("送达方式", "Served by"),
        "text": ("公告内容", "Announcement"),
        "posted_at": ("张贴地点", "Posted at"),
        "demolish_by": ("自行拆除期限", "Demolish by"),
        "emergency": ("情况紧急的理由", "Emergency"),
        "supplies_cut": ("对居民生活停止的供应", "Supplies cut"),
        "what": ("退还、恢复原状或者赔偿的内容", "What was done"),
        "done_on": ("完成日期", "Done on"),
        "ruling": ("执行裁定", "Ruling"),
        "ruled_on": ("裁定日期", "Ruled on"),
        "carried_out_on": ("执行日期", "Carried out on"),
    }
)
# Remedies (行政复议法, 行政诉讼法) and the head's appearance in court.
FIELD_NAMES.update(
    {
        "body": ("复议机关或者人民法院", "Reconsideration body or court"),
        "filed_on": ("申请或者起诉日期", "Filed on"),
        "execution_suspended": ("停止执行", "Execution suspended"),
        "decided_on": ("作出日期", "Decided on"),
        "changed_fine_fen": ("变更后的罚款金额（元）", "Changed fine (yuan)"),
        "follow_up": ("后续处理", "Follow-up"),
        "appeared_on": ("出庭日期", "Appeared on"),
        "note": ("备注", "Note"),
    }
)


# A field two steps share under one name but not one meaning: its words on the step where they differ — the record
# of an inspection (现场检查笔录) names who was present, where an inquiry's names who was asked (payloads.FieldRecord).
STEP_FIELD_WORDS: dict[tuple[str, str], tuple[tuple[str, str], tuple[str, str]]] = {
    ("record_inspection", "subject"): (
        ("当事人或者在场人", "The party or a person present"),
        ("现场检查时在场的当事人或者见证人", "the party or a witness present at the inspection"),
    ),
}


def field_name(name: str, title: str, lang: Lang, step: str = "") -> str:
    own = STEP_FIELD_WORDS.get((step, name))
    pair = own[0] if own is not None else FIELD_NAMES.get(name.rsplit(".", 1)[-1])
    return title if pair is None else pair[0 if lang == "zh" else 1]


def step_field_hint(step: str, name: str, description: str, lang: Lang) -> str:
    """A field's hint on ``step``: its own words there (``STEP_FIELD_WORDS``), else the description's."""
    own = STEP_FIELD_WORDS.get((step, name))
    if own is not None:
        return own[1][0 if lang == "zh" else 1]
    return field_hint(description, lang) if description else ""


# The hints of the steps' fields: each payload Field's description (service/cases/payloads.py), word for word, and
# what it says in Chinese; the articles are those the description cites (行政处罚法 unless it names 行政强制法's
# measures: 查封、扣押, 催告, 强制执行). A description already in Chinese is its own hint.
FIELD_HINTS: dict[str, str] = {
    # Records, preservation (行政处罚法 第五十五条、第五十六条) and the head's approvals.
    "who was asked, for an inquiry": "询问笔录填写被询问人",
    "why the approval is needed, as the head will read it": "需要批准的理由，供负责人审批时阅看",
    "the evidence preserved by registration (先行登记保存清单)": "先行登记保存的证据（先行登记保存清单）",
    "what is decided on the preserved evidence within 7 days (第五十六条)": (
        "七日内对先行登记保存的证据作出的处理决定（第五十六条）"
    ),
    # 查封、扣押 (行政强制法 第十九条、第二十二条至第二十八条).
    "empty: approval before the next seizure is taken; a number: approval afterwards of the urgent seizure taken "
    "on the spot with that number, within 24 hours (第十九条)": (
        "不填：批准下一次查封、扣押；填序号：对该序号的当场紧急查封、扣押，在二十四小时内补办批准手续（第十九条）"
    ),
    "seal (查封) or seize (扣押)": "查封或者扣押",
    "the provision that empowers the agency to seal or seize (第二十二条)": (
        "规定本机关可以实施查封、扣押的法律、法规条文（第二十二条）"
    ),
    "taken on the spot in an emergency, to be approved within 24 hours (第十九条)": (
        "情况紧急，当场实施，须在二十四小时内向负责人报告并补办批准手续（第十九条）"
    ),
    "the decision and the list were handed to the party on the spot (第二十四条)": (
        "查封、扣押决定书和清单已当场交付当事人（第二十四条）"
    ),
    "at most 30 (第二十五条)": "延长期限不得超过三十日（第二十五条）",
    "the reason told to the party in writing (第二十五条第二款)": "书面告知当事人的延长理由（第二十五条第二款）",
    "第二十八条第一款第一项至第五项, or the head's disapproval of an urgent seizure (第十九条)": (
        "第二十八条第一款第一项至第五项所列情形，或者负责人认为不应当采取当场实施的查封、扣押（第十九条）"
    ),
    "what was returned to the party, and how": "向当事人退还的财物及退还方式",
    "检测, 检验, 检疫 or 技术鉴定": "检测、检验、检疫或者技术鉴定",
    "who tests or appraises the things": "承担检测、检验、检疫或者技术鉴定的机构",
    "the period stated to the party, in calendar days from the day after today": (
        "告知当事人的检测、鉴定期间，自次日起按自然日计算"
    ),
    "the written notice, e.g. its title and number (检测期间告知书)": "书面告知文书的名称和编号（检测期间告知书）",
    "how it was served on the party, e.g. 直接送达": "向当事人送达的方式，如直接送达",
    "the result, e.g. the report's number and conclusion (检测报告)": "检测、鉴定结果，如报告编号和结论（检测报告）",
    # The investigation, the prior notice and the hearing (第四十四条、第五十七条、第六十四条).
    "the investigation report (调查终结报告)": "调查终结报告",
    "an amount in fen (1 yuan = 100 fen)": "金额以分为单位（1元 = 100分）",
    "how it was served; in_person when empty": "送达方式；不填的，记为直接送达",
    "the officer chairing, not an investigator (第六十四条第四项)": (
        "主持听证的执法人员，由非本案调查人员担任（第六十四条第四项）"
    ),
    "the hearing record (听证笔录)": "听证笔录",
    "the party's statement and defence (陈述申辩笔录)": "当事人的陈述和申辩（陈述申辩笔录）",
    # Orders to correct (第二十八条).
    "the code of one of the item's measures in the catalogue, e.g. order_correct": (
        "执法事项目录中该事项所列措施的代码，如 order_correct"
    ),
    "the code of one of the item's measures in the catalogue, e.g. order_correct_within_time": (
        "执法事项目录中该事项所列措施的代码，如 order_correct_within_time"
    ),
    "what the party must do": "当事人应当履行的事项",
    "the last day to correct": "改正期限的最后一日",
    "the last day to comply": "履行期限的最后一日",
    # The party's circumstances (第二十九条至第三十三条).
    "adult, aged_14_to_18 (从轻或者减轻, 第三十条), under_14 (不予处罚), or not_applicable for an organisation": (
        "已满十八周岁；已满十四周岁不满十八周岁（从轻或者减轻，第三十条）；不满十四周岁（不予处罚）；"
        "法人或者其他组织选不适用"
    ),
    "full; limited (尚未完全丧失辨认或者控制能力, 第三十一条: may be lighter); none (不能辨认或者控制, 不予处罚)": (
        "能够辨认和控制；尚未完全丧失辨认或者控制能力（第三十一条：可以从轻或者减轻）；不能辨认或者控制（不予处罚）"
    ),
    "the grounds of 第三十二条 found: the penalty shall be lighter": (
        "查明的第三十二条所列情形：应当从轻或者减轻行政处罚"
    ),
    "违法行为轻微": "违法行为轻微",
    "none (没有造成危害后果), minor (危害后果轻微) or more_than_minor": (
        "没有造成危害后果、危害后果轻微，或者危害后果不属轻微"
    ),
    "及时改正": "及时改正",
    "初次违法": "初次违法",
    "the party's evidence proves no fault (第三十三条第二款)": "当事人有证据足以证明没有主观过错（第三十三条第二款）",
    "the earlier decision: its number and the agency that took it": "已作出的罚款决定：文号和作出决定的机关",
    "how they were established: the records and documents relied on": "认定的依据：所依据的笔录和文书",
    # Recusal (第四十三条).
    "the officer whose recusal is applied for": "被申请回避的执法人员",
    "party: the party applies (第四十三条第二款); officer: the officer withdraws (第一款)": (
        "当事人：当事人申请回避（第四十三条第二款）；执法人员：执法人员自行回避（第一款）"
    ),
    "the interest or relation that may affect a fair enforcement, as stated": (
        "所称可能影响公正执法的利害关系或者其他关系"
    ),
    # The district's approval of a departure (办法 第十九条第二款), the legal review, the collective discussion.
    "the uploaded approval document (an evidence id of this case)": "已上传的批准文件（本案的证据编号）",
    "the body that approved: the one that set the standard (the catalogue)": (
        "作出批准的机关，即制定该裁量基准的机关（见执法事项目录）"
    ),
    "who signed the approval for that body": "代表该机关签批的人员",
    "the approval's reference number (文号)": "批准文件的文号",
    "the materials submitted for review": "提交法制审核的材料",
    "user ids of those present": "出席人员的用户编号",
    "each attendee's opinion, by user id": "每名出席人员的意见，按用户编号填写",
    "the user id of the head who chaired": "主持讨论的负责人的用户编号",
    # The decision (第四十条、第五十二条).
    "the discretion reasons (裁量说明)": "裁量理由（裁量说明）",
    "the entries of this case (inquiry and inspection records, evidence collected, …) the decision relies on, by "
    "number (第四十条); at least one (guard decision_evidence_recorded)": (
        "决定所依据的本案记录（询问笔录、现场检查笔录、收集的证据等）的序号（第四十条）；至少一项"
    ),
    "the number of the pre-printed decision form (第五十二条)": (
        "预定格式、编有号码的行政处罚决定书的编号（第五十二条）"
    ),
    "the party's statement and defence, heard on the spot": "当场听取的当事人陈述和申辩",
    "the party declined to state or defend": "当事人放弃陈述和申辩",
    # Payment (第六十六条至第七十条).
    "the bank's receipt number, or the special receipt's when collected on the spot": (
        "银行缴款凭证的号码；当场收缴的，填写专用票据的号码"
    ),
    "why payment elsewhere is truly hard: 第六十八条第二项, or 第六十九条 on the party's request; not needed for a "
    "fine of at most 100 yuan decided on the spot (第六十八条第一项)": (
        "到指定的银行或者通过电子支付系统缴纳确有困难的理由：第六十八条第二项，或者经当事人提出的第六十九条情形；"
        "当场作出一百元以下罚款的无须填写（第六十八条第一项）"
    ),
    "the days and amounts proposed; a deferral has one": "申请的缴纳日期和金额；延期缴纳只有一期",
    "the party's economic hardship (确有经济困难), as stated in the application": (
        "当事人申请书所述的经济困难情况（确有经济困难）"
    ),
    # 催告, the court, remedies (行政强制法 第三十五条、第五十三条、第五十四条; 第七十三条).
    "how it was served, e.g. 直接送达": "送达方式，如直接送达",
    "the last day to perform, which a reminder before the agency's own execution states (第三十五条第一项); a "
    "fine's reminder gives the ten working days of 第五十四条": (
        "履行义务期限的最后一日，本机关自行强制执行前的催告书应当载明（第三十五条第一项）；"
        "罚款的催告书按第五十四条给予十个工作日"
    ),
    "the competent people's court applied to": "申请强制执行的有管辖权的人民法院",
    "the reconsideration body or the court": "行政复议机关或者人民法院",
    "execution suspended by the body or court (第七十三条第一款: 法律另有规定的除外)": (
        "复议机关或者人民法院决定停止执行（第七十三条第一款：法律另有规定的除外）"
    ),
    "the number of the reconsideration decision or judgment": "行政复议决定书或者判决书的文号",
    "the fine as changed; only for a changed result": "变更后的罚款金额；仅在结果为变更时填写",
    "what the agency did after the result": "结果作出后本机关的处理情况",
    # The agency's own execution (行政强制法 第三十六条至第四十四条) and restitution (第四十一条).
    "what the party stated, with the facts, reasons and evidence; empty: none given": (
        "当事人陈述、申辩的内容及提出的事实、理由和证据；未提出的不填"
    ),
    "the agency's re-examination (复核) of what the party gave": "本机关对当事人所提事实、理由和证据的复核",
    "the party's facts, reasons or evidence hold, and are adopted": "当事人提出的事实、理由或者证据成立，予以采纳",
    "the measure executed, one the item's law lets the agency execute itself, e.g. demolish": (
        "执行的措施，须为该事项的法律规定本机关可以自行强制执行的措施，如 demolish"
    ),
    "强制执行的理由: the order unperformed after the reminder": "强制执行的理由：经催告仍未履行的决定",
    "强制执行的依据: the provisions relied on": "强制执行的依据：所依据的法律条文",
    "强制执行的时间: the day from which it is carried out": "强制执行的时间：开始实施之日",
    "强制执行的方式: how it is carried out": "强制执行的方式：如何实施",
    "申请行政复议或者提起行政诉讼的途径和期限": "申请行政复议或者提起行政诉讼的途径和期限",
    "how the decision was served on the party (第三十八条: directly)": (
        "强制执行决定书向当事人送达的方式（第三十八条：直接送达）"
    ),
    "the announcement (公告)": "公告内容",
    "where it was posted": "公告张贴的地点",
    "the last day for the party to demolish themselves": "当事人自行拆除期限的最后一日",
    "the execution record: what was done and found": "执行笔录：实施的情况和现场发现的情况",
    "why it could not wait for day or a working day (第四十三条第一款: 情况紧急)": (
        "不能等到白天或者工作日实施的理由（第四十三条第一款：情况紧急）"
    ),
    "supplies to the dwelling cut to force the party (第四十三条第二款 forbids it)": (
        "为迫使当事人履行而对居民生活停止的供应（第四十三条第二款禁止）"
    ),
    "what was refunded, returned, restored or compensated, and how": "退还、恢复原状或者赔偿的内容及方式",
    "the amount refunded or compensated": "退还或者赔偿的金额",
    # The people's court's execution (行政强制法 第五十七条).
    "the court's ruling to execute (准予执行的行政裁定书), by its number": "人民法院准予执行的行政裁定书的文号",
    "the day of the ruling": "作出裁定的日期",
    "the day the order was executed": "决定执行完毕的日期",
    "what was executed, as the court's or the executing body's record states": (
        "人民法院或者执行机构的记录所载的执行情况"
    ),
}


def field_hint(description: str, lang: Lang) -> str:
    """A field's hint in ``lang``: the description itself in English, or one this module does not know."""
    if lang == "en":
        return description
    return FIELD_HINTS.get(description, description)


# The choices of the steps' select fields, by the field's last name and the value (the code the form sends).
CHOICE_NAMES: dict[tuple[str, str], tuple[str, str]] = {
    # The kinds of penalty (行政处罚法 第九条).
    ("kinds", "warning"): ("警告", "Warning"),
    ("kinds", "public_criticism"): ("通报批评", "Public criticism"),
    ("kinds", "fine"): ("罚款", "Fine"),
    ("kinds", "confiscate_illegal_gains"): ("没收违法所得", "Confiscation of illegal gains"),
    ("kinds", "confiscate_illegal_property"): ("没收非法财物", "Confiscation of illegal property"),
    ("kinds", "suspend_licence"): ("暂扣许可证件", "Suspension of a licence"),
    ("kinds", "lower_qualification"): ("降低资质等级", "Lowering of a qualification grade"),
    ("kinds", "revoke_licence"): ("吊销许可证件", "Revocation of a licence"),
    ("kinds", "restrict_production"): ("限制开展生产经营活动", "Restriction of production and business"),
    ("kinds", "order_stop_production"): ("责令停产停业", "Order to stop production or business"),
    ("kinds", "order_close"): ("责令关闭", "Order to close"),
    ("kinds", "restrict_practice"): ("限制从业", "Restriction of practice"),
    ("kinds", "detention"): ("行政拘留", "Administrative detention"),
    ("kinds", "other"): ("法律、行政法规规定的其他行政处罚", "Other penalty provided by law"),
    # The party's circumstances (第三十条至第三十三条).
    ("age_at_act", "adult"): ("已满十八周岁", "18 or over"),
    ("age_at_act", "aged_14_to_18"): ("已满十四周岁不满十八周岁", "14 or over, under 18"),
    ("age_at_act", "under_14"): ("不满十四周岁", "Under 14"),
    ("age_at_act", "not_applicable"): ("不适用（法人或者其他组织）", "Not applicable (an organisation)"),
    ("mental_capacity", "full"): ("能够辨认和控制自己的行为", "Full"),
    ("mental_capacity", "limited"): ("尚未完全丧失辨认或者控制自己行为能力", "Limited"),
    ("mental_capacity", "none"): ("不能辨认或者不能控制自己的行为", "None"),
    ("mitigations", "removed_or_reduced_harm"): (
        "主动消除或者减轻违法行为危害后果",
        "Removed or reduced the harm of the act of their own accord",
    ),
    ("mitigations", "coerced_or_deceived"): ("受他人胁迫或者诱骗实施违法行为", "Coerced or deceived into the act"),
    ("mitigations", "confessed_unknown_acts"): (
        "主动供述行政机关尚未掌握的违法行为",
        "Confessed acts the agency did not know of",
    ),
    ("mitigations", "meritorious_cooperation"): (
        "配合行政机关查处违法行为有立功表现",
        "Helped the agency investigate, with meritorious conduct",
    ),
    ("mitigations", "other_law"): (
        "法律、法规、规章规定其他应当从轻或者减轻行政处罚的",
        "Another ground a law, regulation or rule provides",
    ),
    ("harm", "none"): ("没有造成危害后果", "No harm"),
    ("harm", "minor"): ("危害后果轻微", "Minor harm"),
    ("harm", "more_than_minor"): ("危害后果不属轻微", "More than minor harm"),
    # The outcomes after the investigation (第五十七条第一款).
    ("outcome", "penalty"): ("给予行政处罚", "Penalty"),
    ("outcome", "no_penalty_minor"): ("违法行为轻微，不予行政处罚", "No penalty: the violation is minor"),
    ("outcome", "no_penalty_not_established"): (
        "违法事实不能成立，不予行政处罚",
        "No penalty: the facts are not established",
    ),
    ("outcome", "transferred"): ("移送司法机关", "Transferred to judicial organs"),
    ("outcome", "order"): ("责令决定", "Order"),  # 第二十八条: an order the item's law provides, no penalty
    # Recusal (第四十三条: the officer withdraws, 第一款; the party applies, 第二款).
    ("requested_by", "officer"): ("执法人员自行回避", "The officer"),
    ("requested_by", "party"): ("当事人申请回避", "The party"),
    ("applicant", "officer"): ("执法人员自行回避", "The officer"),
    ("applicant", "party"): ("当事人申请回避", "The party"),
    # Payment: on the spot (第六十八条第二项、第六十九条); in instalments or later (第六十六条第二款).
    ("on_the_spot_ground", "hard_to_execute_later"): (
        "不当场收缴事后难以执行",
        "Hard to execute later if not collected on the spot",
    ),
    ("on_the_spot_ground", "remote_area_on_party_request"): (
        "边远、水上、交通不便地区，经当事人提出",
        "Remote, water or poorly connected area, at the party's request",
    ),
    ("kind", "instalments"): ("分期缴纳", "In instalments"),
    ("kind", "deferral"): ("延期缴纳", "Deferred"),
    # 查封、扣押 (行政强制法 第二十四条), its testing (第二十五条第三款) and its release (第二十八条, 第十九条).
    ("kind", "seal"): ("查封", "Seal"),
    ("kind", "seize"): ("扣押", "Seize"),
    ("kind", "testing"): ("检测", "Testing"),
    ("kind", "inspection"): ("检验", "Inspection"),
    ("kind", "quarantine"): ("检疫", "Quarantine"),
    ("kind", "technical_appraisal"): ("技术鉴定", "Technical appraisal"),
    ("ground", "no_violation"): ("当事人没有违法行为", "The party committed no violation"),
    ("ground", "unrelated"): (
        "查封、扣押的场所、设施或者财物与违法行为无关",
        "The places, facilities or things are unrelated to the violation",
    ),
    ("ground", "decided"): (
        "行政机关对违法行为已经作出处理决定，不再需要查封、扣押",
        "The violation is decided; the seizure is no longer needed",
    ),
    ("ground", "period_ended"): ("查封、扣押期限已经届满", "The seizure's period has ended"),
    ("ground", "no_longer_needed"): (
        "其他不再需要采取查封、扣押措施的情形",
        "Otherwise no longer needed",
    ),
    ("ground", "head_disapproved"): (
        "负责人认为不应当采取查封、扣押（当场实施的）",
        "The head disapproved the urgent seizure",
    ),
    # 终结执行 (行政强制法 第四十条) and the court's refusal to execute (第五十八条).
    ("ground", "party_died_without_estate"): (
        "公民死亡，无遗产可供执行，又无义务承受人",
        "The citizen died, leaving no estate and no successor to the duty",
    ),
    ("ground", "organisation_ended_without_property"): (
        "法人或者其他组织终止，无财产可供执行，又无义务承受人",
        "The organisation ended, leaving no property and no successor to the duty",
    ),
    ("ground", "object_lost"): ("执行标的灭失", "The object of execution is lost"),
    ("ground", "decision_revoked"): ("据以执行的行政决定被撤销", "The decision executed was revoked"),
    ("ground", "other_ground"): ("行政机关认为需要终结执行的其他情形", "Another ground the agency finds"),
    ("ground", "court_refused"): ("人民法院裁定不予执行", "The court ruled not to execute"),
    # The agency's own execution: what 行政强制法 第四十三条第二款 forbids to cut.
    ("supplies_cut", "water"): ("供水", "Water"),
    ("supplies_cut", "power"): ("供电", "Power"),
    ("supplies_cut", "heat"): ("供热", "Heat"),
    ("supplies_cut", "gas"): ("供燃气", "Gas"),
    # Restitution (行政强制法 第四十一条).
    ("kind", "refund"): ("退还款项", "Refund"),
    ("kind", "return_property"): ("退还财物", "Return of property"),
    ("kind", "restore"): ("恢复原状", "Restoration"),
    ("kind", "compensate"): ("赔偿", "Compensation"),
    # Remedies (行政复议法, 行政诉讼法).
    ("kind", "reconsideration"): ("行政复议", "Administrative reconsideration"),
    ("kind", "lawsuit"): ("行政诉讼", "Administrative lawsuit"),
    ("result", "upheld"): ("维持", "Upheld"),
    ("result", "changed"): ("变更", "Changed"),
    ("result", "revoked"): ("撤销", "Revoked"),
    ("result", "confirmed_illegal"): ("确认违法", "Confirmed illegal"),
    # Where a case came from (案件来源登记表): found on inspection, a complaint, a referral, a report.
    ("source_kind", "inspection"): ("监督检查发现", "Found on inspection"),
    ("source_kind", "complaint"): ("投诉", "Complaint"),
    ("source_kind", "report"): ("举报", "Report"),
    ("source_kind", "referral"): ("其他机关移送", "Referred by another body"),
    ("source_kind", "other"): ("其他", "Other"),
    # The kinds of evidence (行政处罚法 第四十六条), as an upload names them.
    ("kind", "documentary"): ("书证", "Documentary evidence"),
    ("kind", "physical"): ("物证", "Physical evidence"),
    # The links of an evidence's chain of custody (service/evidence/service.py, CUSTODY_ZH).
    ("event", "collected"): ("收集", "Collected"),
    ("event", "preserved"): ("封存", "Sealed and kept"),
    ("event", "transferred"): ("移交", "Transferred"),
    ("event", "returned"): ("退还", "Returned"),
    ("event", "destroyed"): ("销毁", "Destroyed"),
    ("kind", "audio_visual"): ("视听资料", "Audio-visual material"),
    ("kind", "electronic_data"): ("电子数据", "Electronic data"),
    ("kind", "witness_testimony"): ("证人证言", "Witness testimony"),
    ("kind", "party_statement"): ("当事人的陈述", "The party's statement"),
    ("kind", "expert_opinion"): ("鉴定意见", "Expert opinion"),
    ("kind", "inspection_record"): ("勘验笔录、现场笔录", "Inspection or on-site record"),
}


def choice_name(field_name: str, value: str, lang: Lang) -> str:
    """A choice of a select field in ``lang``, by the field's (dotted) name and the value; the value if unknown."""
    pair = CHOICE_NAMES.get((field_name.rsplit(".", 1)[-1], value))
    return value if pair is None else pair[0 if lang == "zh" else 1]
