// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { uploadWithProgress } from "@/api/files";
import { uploadExternalReport } from "@/stores/applicantChain";

interface Sent {
  method: string;
  url: string;
  auth: string | null;
  fields: [string, string][];
  file: File | null;
}

/** An XMLHttpRequest that records what was sent, reports the upload in two steps and answers `answer`. */
function fakeXhr(answer: { status: number; body: unknown }, sent: Sent[]) {
  return class {
    upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    status = 0;
    responseText = "";
    private request: Sent = { method: "", url: "", auth: null, fields: [], file: null };
    open(method: string, url: string) {
      Object.assign(this.request, { method, url });
    }
    setRequestHeader(name: string, value: string) {
      if (name === "Authorization") this.request.auth = value;
    }
    send(data: FormData) {
      for (const [name, value] of data.entries()) {
        if (typeof value === "string") this.request.fields.push([name, value]);
        else this.request.file = value as File;
      }
      sent.push(this.request);
      this.upload.onprogress?.({ lengthComputable: true, loaded: 3, total: 10 });
      this.upload.onprogress?.({ lengthComputable: true, loaded: 10, total: 10 });
      this.status = answer.status;
      this.responseText = JSON.stringify(answer.body);
      this.onload?.();
    }
  };
}

function signedIn(): void {
  sessionStorage.setItem("zhicheng.session", JSON.stringify({ accessToken: "t1", refreshToken: null, passwordChangeRequired: false }));
}

afterEach(() => vi.unstubAllGlobals());

describe("uploadWithProgress", () => {
  it("sends the extra form fields beside the file, as strings", async () => {
    const sent: Sent[] = [];
    vi.stubGlobal("XMLHttpRequest", fakeXhr({ status: 200, body: { ok: true } }, sent));
    signedIn();
    const file = new File(["a,b"], "名录.csv", { type: "text/csv" });
    const progress: number[] = [];
    const answer = await uploadWithProgress<{ ok: boolean }>("/api/v1/x/import", file, (p) => progress.push(p), { mode: "merge", n: 2, yes: true });
    expect(answer).toEqual({ ok: true });
    expect(progress).toEqual([30, 100]);
    expect(sent[0]).toMatchObject({ method: "POST", url: "/api/v1/x/import", auth: "Bearer t1" });
    expect(sent[0].fields).toEqual([
      ["mode", "merge"],
      ["n", "2"],
      ["yes", "true"],
    ]);
    expect(sent[0].file?.name).toBe("名录.csv");
  });

  it("sends only the file without fields", async () => {
    const sent: Sent[] = [];
    vi.stubGlobal("XMLHttpRequest", fakeXhr({ status: 201, body: {} }, sent));
    signedIn();
    await uploadWithProgress("/api/v1/y", new File(["x"], "a.pdf"), () => undefined);
    expect(sent[0].fields).toEqual([]);
    expect(sent[0].file?.name).toBe("a.pdf");
  });
});

describe("the external plagiarism report (POL-PA-4)", () => {
  const form = { provider: " 中国知网 ", report_number: "TMLC-2026-1 ", copy_percent: 12.5, attested: true };

  it("uploads the report with its figures and reports the upload's progress", async () => {
    const sent: Sent[] = [];
    const recorded = { paper_id: "p1", decision: "pass", copy_ratio: 0.125 };
    vi.stubGlobal("XMLHttpRequest", fakeXhr({ status: 200, body: recorded }, sent));
    signedIn();
    const progress: number[] = [];
    const pdf = new File(["%PDF-1.4"], "查重报告.pdf", { type: "application/pdf" });
    const answer = await uploadExternalReport("a/1", "p1", form, pdf, (p) => progress.push(p));
    expect(answer).toEqual(recorded);
    expect(progress).toEqual([30, 100]);
    expect(sent[0].url).toBe("/api/v1/applications/a%2F1/papers/p1/external-report");
    expect(Object.fromEntries(sent[0].fields)).toEqual({
      copy_ratio: "0.125",
      provider: "中国知网",
      report_number: "TMLC-2026-1",
      attested: "true",
    });
    expect(sent[0].file?.name).toBe("查重报告.pdf");
  });

  it("throws the service's refusal as a problem naming its field", async () => {
    const refusal = { code: "external_report_not_wanted", detail: "该论文已通过自动查重，无需上传查重报告。", field: "paper_id", rule: "POL-PA-4" };
    vi.stubGlobal("XMLHttpRequest", fakeXhr({ status: 409, body: refusal }, []));
    signedIn();
    const pdf = new File(["%PDF-1.4"], "r.pdf", { type: "application/pdf" });
    await expect(uploadExternalReport("a1", "p1", form, pdf)).rejects.toMatchObject({ status: 409, code: "external_report_not_wanted", rule: "POL-PA-4" });
  });
});
