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
    "source_description": ("案件来源说明", "Source"),
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
    "signoff_decision": ("签署处理决定", "Sign the decision"),
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
    "decide_recusal": ("回避决定", "Decide a recusal"),
    "request_deadline_extension": ("请示延长办案期限", "Ask to extend the deadline"),
    "extend_decision_deadline": ("延长办案期限", "Extend the deadline"),
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
    "amount_fen": ("金额（分）", "Amount (fen)"),
    "attendees": ("参加人员", "Attendees"),
    "basis": ("依据", "Basis"),
    "calendar_days": ("日数", "Days"),
    "chair": ("主持人", "Chair"),
    "grounds": ("请示理由", "Grounds"),
    "chair_officer_id": ("听证主持人", "Hearing chair"),
    "conclusion": ("结论", "Conclusion"),
    "confiscated_value_fen": ("没收财物价值（分）", "Confiscated value (fen)"),
    "discretion_statement": ("裁量说明", "Discretion statement"),
    "facts": ("违法事实", "Facts"),
    "fine_fen": ("罚款金额（分）", "Fine (fen)"),
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
    "recused": ("回避", "Recused"),
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


def field_name(name: str, title: str, lang: Lang) -> str:
    pair = FIELD_NAMES.get(name.rsplit(".", 1)[-1])
    return title if pair is None else pair[0 if lang == "zh" else 1]
