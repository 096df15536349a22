// The awards and commendations a reviewer reads beside the application (POL-AW-1). application-service's
// GET of an application does not carry the submitted awards (only their year, kind and level among the
// attestable facts); the eligibility report does: one POL-AW-1 outcome per award, in the order declared,
// whose details name the award, its programme, its level, the evidence and the basis it was judged on.
import type { components } from "@/api/generated/application-service";
import { AWARD_KIND_ZH, AWARD_LEVEL_ZH } from "./applicantFacts";

type Report = components["schemas"]["EligibilityOut"];

export interface AwardRow {
  title: string;
  year: string;
  programme: string;
  kind: string;
  level: string;
  evidence: string;
  outcome: string;
  explanation: string;
}

function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The awards of a report, one row each (none when the applicant declared none). */
export function awardRows(report: Report | null): AwardRow[] {
  if (!report) return [];
  const kinds = new Map((report.facts ?? []).map((f) => [String(f.path ?? ""), f.attested]));
  return report.outcomes
    .filter((o) => o.rule_id === "POL-AW-1" && o.outcome !== "not_applicable")
    .map((o, i) => {
      const d = record(o.details);
      const ev = record(d.evidence);
      const declared = text(d.declared_year);
      const judged = text(d.year);
      const evidence = [
        ev.document_issuer ? `表彰文件落款：${text(ev.document_issuer)}${ev.document_dated ? `，${text(ev.document_dated)}` : ""}` : "",
        ev.certificate_seal_of ? `证书印章：${text(ev.certificate_seal_of)}` : "",
      ].filter((x) => x);
      const kind = text(kinds.get(`awards.${i}.kind`));
      return {
        title: text(d.award),
        year: declared && judged && declared !== judged ? `${declared}（按${judged}年认定）` : judged || declared,
        programme: text(d.programme),
        kind: (AWARD_KIND_ZH as Record<string, string>)[kind] ?? kind,
        level: (AWARD_LEVEL_ZH as Record<string, string>)[text(d.level)] ?? text(d.level),
        evidence: evidence.join("；") || "未提供",
        outcome: text(o.outcome),
        explanation: text(o.explanation_zh),
      };
    });
}

/** The items the report does not count (papers, awards, the expert recommendation), by title. */
export function excludedRows(report: Report | null): { item: string; title: string; rule_id: string; explanation: string }[] {
  const ITEM_ZH: Record<string, string> = { paper: "论文", award: "奖励", expert_recommendation: "专家举荐" };
  return (report?.excluded_items ?? []).map((x) => ({
    item: ITEM_ZH[text(x.item)] ?? text(x.item),
    title: text(x.title),
    rule_id: text(x.rule_id),
    explanation: text(x.explanation_zh),
  }));
}
