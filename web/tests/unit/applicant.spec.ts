// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { ApiProblem } from "@/api/problem";
import {
  attachmentUsage,
  bodyFromForm,
  checkStates,
  checksRunning,
  emptyForm,
  fieldKey,
  formFromContent,
  lastReturn,
  matchedSources,
  percent,
  problemFields,
  statusTagType,
  statusZh,
  timelineOf,
  uploadAttachment,
  type ApplicationContentOut,
} from "@/stores/applicant";

const content: ApplicationContentOut["content"] = {
  year: 2026,
  series: "卫生系列",
  specialty: "临床医学",
  level: "intermediate",
  track: "normal",
  papers: [
    {
      paper_id: "p1",
      title: "基层卫生服务研究",
      journal: "中国全科医学",
      journal_level: "core",
      published_on: "2025-03-01",
      authors: ["张三", "李四"],
      text: "正文".repeat(50),
      cn_number: null,
      issue_type: "regular",
      electronic: false,
      press_listed: null,
    },
  ],
  facts: {
    education: { level: "bachelor", major_matches_work: true },
    work: { months_in_current_specialty: 60, rural_months: 12, hard_remote_area: false, months_at_next_lower_post: 0 },
    current_title: { level: "junior", obtained_on: "2020-07-01" },
    awards: [{ title: "优秀论文奖", year: 2024, programme: "市科技进步奖", kind: "science_technology", level: "city" }],
    some_future_fact: { kept: true },
  },
};

describe("the applicant's form", () => {
  it("reads what the applicant filled in and sends it back, keeping the facts the form does not show", () => {
    const form = formFromContent(content);
    expect(form.education_level).toBe("bachelor");
    expect(form.months_in_current_specialty).toBe(60);
    expect(form.current_title_level).toBe("junior");
    expect(form.papers[0].authors).toEqual(["张三", "李四"]);
    expect(form.facts.awards[0]).toMatchObject({ title: "优秀论文奖", year: 2024, kind: "science_technology", level: "city" });
    expect(form.other_facts).toEqual({ some_future_fact: { kept: true } });

    form.specialty = " 内科 ";
    const body = bodyFromForm(form);
    expect(body.specialty).toBe("内科");
    expect(body.education).toEqual({ level: "bachelor", major_matches_work: true });
    expect(body.current_title).toEqual({ level: "junior", obtained_on: "2020-07-01" });
    expect(body.work?.rural_months).toBe(12);
    expect(body.awards).toEqual([
      {
        title: "优秀论文奖",
        year: 2024,
        programme: "市科技进步奖",
        kind: "science_technology",
        level: "city",
        collective: false,
        personal_role_stated: false,
        document_issuer: null,
        document_dated: null,
        certificate_seal_of: null,
      },
    ]);
    expect((body as Record<string, unknown>).some_future_fact).toEqual({ kept: true });
    expect(body.papers?.[0]).toEqual({
      title: "基层卫生服务研究",
      journal: "中国全科医学",
      journal_level: "core",
      published_on: "2025-03-01",
      authors: ["张三", "李四"],
      text: "正文".repeat(50),
      issue_type: "regular",
      electronic: false,
    });
    expect("paper_id" in (body.papers?.[0] ?? {})).toBe(false);
  });

  it("leaves out what was not filled in", () => {
    const body = bodyFromForm({ ...emptyForm(2026), series: "卫生系列", specialty: "护理" });
    expect(body.education).toBeUndefined();
    expect(body.current_title).toBeUndefined();
    expect(body.staff_status).toBeUndefined();
    expect(body.employer).toBeUndefined();
    expect(body.papers).toEqual([]);
  });

  it("puts a refusal next to the field it names, by its full path", () => {
    expect(fieldKey("body.papers.0.text")).toBe("papers.text");
    expect(fieldKey("education.level")).toBe("education.level");
    const problem = ApiProblem.from(422, {
      code: "invalid_input",
      detail: "输入有误",
      errors: [
        { field: "body.education.level", message: "取值不在允许范围内" },
        { field: "body.papers.0.text", message: "论文正文只有标点或符号" },
      ],
    });
    expect(problemFields(problem)).toEqual({
      "education.level": "取值不在允许范围内",
      "papers.text": "论文正文只有标点或符号",
    });
    const rule = ApiProblem.from(409, { code: "application_exists", detail: "您已有2026年度卫生系列的申报", field: "series", rule: "SCHED-1" });
    expect(problemFields(rule)).toEqual({ series: "您已有2026年度卫生系列的申报（SCHED-1）" });
  });
});

describe("what the pages show", () => {
  it("names every status in Chinese", () => {
    expect(statusZh("returned")).toBe("已退回（待修改）");
    expect(statusZh("titled")).toBe("已取得职称");
    expect(statusTagType("returned")).toBe("warning");
    expect(statusTagType("not_passed")).toBe("danger");
  });

  it("builds the timeline from the events, newest first, with the return's reasons", () => {
    const history = [
      { event_type: "ApplicationSubmitted", version: 1, occurred_at: "2026-06-01T02:00:00+00:00" },
      { event_type: "EligibilityAssessed", version: 3, occurred_at: "2026-06-01T02:00:00+00:00", eligible: true, trigger: "submitted" },
      { event_type: "ApplicationReturned", version: 4, occurred_at: "2026-06-02T03:30:00+00:00", step: "unit", reasons: ["论文期刊信息不全"] },
    ];
    const entries = timelineOf(history);
    expect(entries.map((e) => e.title)).toEqual(["单位退回修改", "资格审查", "提交申报"]);
    expect(entries[0].lines).toEqual(["退回理由：论文期刊信息不全"]);
    expect(entries[0].at).toBe("2026-06-02 11:30"); // Asia/Shanghai
    expect(entries[1].lines).toContain("评估时点：提交时");
    expect(lastReturn(history)).toEqual({ step: "单位", reasons: ["论文期刊信息不全"] });
    expect(lastReturn(history.slice(0, 2))).toBeNull();
  });

  it("measures the attachments against the quota", () => {
    const limits = { max_attachments: 20, max_attachment_total_bytes: 100 * 1024 * 1024 };
    const half = attachmentUsage([{ size: 50 * 1024 * 1024 }], limits);
    expect(half).toMatchObject({ files: 1, percent: 50, full: false });
    const many = attachmentUsage(Array.from({ length: 20 }, () => ({ size: 1024 })), limits);
    expect(many).toMatchObject({ files: 20, percent: 100, full: true });
  });

  it("follows each paper's check until plagiarism-service answers", () => {
    const papers = [{ paper_id: "p1", title: "甲" }, { paper_id: "p2", title: "乙" }];
    const running = { status: "submitted", papers, checks: { p1: { check_id: "c1", decision: "pass", copy_ratio: 0.05, threshold: 0.15 } } };
    expect(checkStates(running).map((c) => c.state)).toEqual(["pass", "running"]);
    expect(checksRunning(running)).toBe(true);
    const done = { ...running, checks: { ...running.checks, p2: { check_id: "c2", decision: "fail", copy_ratio: 0.4, threshold: 0.15 } } };
    expect(checksRunning(done)).toBe(false);
    expect(checksRunning({ ...running, status: "withdrawn" })).toBe(false);
    expect(checkStates({ status: "draft", papers, checks: {} })).toEqual([]);
    expect(percent(0.153)).toBe("15.3%");
    expect(percent(null)).toBe("—");
  });

  it("groups the matched passages by their source, the largest first", () => {
    const passage = (source: string, start: number, end: number, own = false) => ({
      start,
      end,
      source_external_id: source,
      source_start: 0,
      source_end: end - start,
      quoted: false,
      own,
    });
    const sources = matchedSources({ passages: [passage("A", 0, 10), passage("B", 20, 60, true), passage("A", 70, 80)] });
    expect(sources).toEqual([
      { source: "B", chars: 40, passages: 1, own: true },
      { source: "A", chars: 20, passages: 2, own: false },
    ]);
  });
});

describe("uploads", () => {
  it("report their progress and answer the attachment, or the refusal as a problem", async () => {
    const sent: { url: string; auth: string | null }[] = [];
    class FakeXhr {
      static answer = { status: 201, body: { attachment_id: "f1", filename: "学历证书.pdf", size: 3 } as unknown };
      upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      status = 0;
      responseText = "";
      private url = "";
      private auth: string | null = null;
      open(_method: string, url: string) {
        this.url = url;
      }
      setRequestHeader(name: string, value: string) {
        if (name === "Authorization") this.auth = value;
      }
      send() {
        sent.push({ url: this.url, auth: this.auth });
        this.upload.onprogress?.({ lengthComputable: true, loaded: 1, total: 4 });
        this.upload.onprogress?.({ lengthComputable: true, loaded: 4, total: 4 });
        this.status = FakeXhr.answer.status;
        this.responseText = JSON.stringify(FakeXhr.answer.body);
        this.onload?.();
      }
    }
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    sessionStorage.setItem("zhicheng.session", JSON.stringify({ accessToken: "t1", refreshToken: null, passwordChangeRequired: false }));
    const progress: number[] = [];
    const file = new File(["%PDF"], "学历证书.pdf", { type: "application/pdf" });
    const added = await uploadAttachment("a1", file, (p) => progress.push(p));
    expect(added.attachment_id).toBe("f1");
    expect(progress).toEqual([25, 100]);
    expect(sent[0]).toEqual({ url: "/api/v1/applications/a1/attachments", auth: "Bearer t1" });

    FakeXhr.answer = { status: 409, body: { code: "attachment_quota_exceeded", detail: "每份申报最多上传 20 个附件", field: "file" } };
    await expect(uploadAttachment("a1", file, () => undefined)).rejects.toMatchObject({
      status: 409,
      code: "attachment_quota_exceeded",
      field: "file",
    });
    vi.unstubAllGlobals();
  });
});
