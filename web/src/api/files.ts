// Files to and from the services — downloads (Excel, PDF, attachments) and uploads with their progress —
// with the bearer token a plain link or form would not carry, and one renewal on a 401 like the typed
// clients. Every refusal is thrown as an ApiProblem.
import { ApiProblem } from "./problem";
import { loadSession, refreshSession } from "./session";

async function withRenewal<T extends { status: number }>(send: (token?: string) => Promise<T>): Promise<T> {
  const answer = await send(loadSession()?.accessToken);
  if (answer.status !== 401) return answer;
  const renewed = await refreshSession();
  return renewed ? send(renewed.accessToken) : answer;
}

/** A GET with the session's token; the response when it is 2xx, its problem thrown otherwise. */
export async function authorizedGet(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await withRenewal((token) => fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} }));
  } catch {
    throw ApiProblem.from(0, undefined);
  }
  if (!response.ok) throw ApiProblem.from(response.status, await response.json().catch(() => undefined));
  return response;
}

/** Saves `blob` under `filename` (the browser's download). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads what `url` answers and saves it as `filename`. */
export async function downloadFile(url: string, filename: string): Promise<void> {
  saveBlob(await (await authorizedGet(url)).blob(), filename);
}

interface XhrAnswer {
  status: number;
  body: unknown;
}

function xhrPost(url: string, data: FormData, onProgress: (percent: number) => void, token: string | undefined): Promise<XhrAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: undefined });
    xhr.send(data);
  });
}

/** POSTs `file` as the multipart field "file", reporting its progress in percent (fetch reports no upload
 * progress, XMLHttpRequest does); the service's JSON answer, or its problem thrown. */
export async function uploadWithProgress<T>(url: string, file: File, onProgress: (percent: number) => void): Promise<T> {
  const data = new FormData();
  data.append("file", file, file.name);
  const answer = await withRenewal((token) => xhrPost(url, data, onProgress, token));
  if (answer.status < 200 || answer.status >= 300) throw ApiProblem.from(answer.status, answer.body);
  return answer.body as T;
}
