// The Chinese names of the codes the services answer with. Statuses, tracks, title levels and education
// levels have one home, application-service's domain (`make openapi` writes web/openapi/vocabulary.json
// from it); the names of an application's events, which only pages show, live here once.
import names from "../../openapi/vocabulary.json";

export const APPLICATION_STATUS_NAMES: Record<string, string> = names.application_status;
export const TRACK_NAMES: Record<string, string> = names.track;
export const TITLE_LEVEL_NAMES: Record<string, string> = names.title_level;
export const EDUCATION_NAMES: Record<string, string> = names.education;
export const CHECK_DECISION_NAMES: Record<string, string> = names.check_decision;

export const APPLICATION_EVENT_NAMES: Record<string, string> = {
  ApplicationDrafted: "保存草稿",
  ApplicationEdited: "修改申报",
  ApplicationSubmitted: "提交申报",
  ApplicationResubmitted: "修改后重新提交",
  ApplicationWithdrawn: "撤回申报",
  EligibilityAssessed: "资格审查",
  FactsAttested: "单位核实申报事实",
  ApplicationConcludedWithoutCommittee: "无需评委会评审，待发文认定",
  AttachmentAdded: "上传附件",
  AttachmentRemoved: "删除附件",
  ExternalReportUploaded: "单位上传论文查重报告",
  PaperCheckRecorded: "论文查重结果",
  PublicityStarted: "单位内部公示",
  UnitApproved: "单位审核通过",
  DepartmentApproved: "主管部门审核通过",
  TitleOfficeApproved: "职改办审核通过",
  ApplicationReturned: "退回修改",
  ExpertRecommendationRequested: "申请专家推荐",
  ExpertRecommendationConsented: "专家推荐确认",
  ApplicationPushed: "推送评委会",
  ProvincialVerdictRecorded: "省职改办预审备案结果",
  CommitteeReviewStarted: "评委会开始评审",
  ResultsPublicityStarted: "评审结果公示",
  ApplicationDecided: "评审结果",
  EligibilityCancelled: "取消评审资格",
};

/** The name of `code` in `names`; "—" for none, the code itself when it has no name. */
export function nameOf(names: Record<string, string>, code: string | null | undefined): string {
  if (!code) return "—";
  return names[code] ?? code;
}
