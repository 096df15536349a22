// A form's refusals from the server: each problem's Chinese detail next to the field it names
// (`fieldErrors[field]`, bound to el-form-item's `error`), or above the form when it names none.
import { reactive, ref } from "vue";
import { ApiProblem } from "@/api/problem";

export function useProblem(fields: readonly string[] = []) {
  const fieldErrors = reactive<Record<string, string>>({});
  const formError = ref("");
  const problem = ref<ApiProblem | null>(null);

  function clear(): void {
    for (const key of Object.keys(fieldErrors)) delete fieldErrors[key];
    formError.value = "";
    problem.value = null;
  }

  /** Shows `error` where it belongs; returns it as an ApiProblem (rethrows anything else). */
  function show(error: unknown): ApiProblem {
    clear();
    if (!(error instanceof ApiProblem)) throw error;
    problem.value = error;
    const known = (f?: string) => f !== undefined && (fields.length === 0 || fields.includes(f));
    for (const e of error.errors) if (known(e.field)) fieldErrors[e.field] = e.message;
    if (known(error.field)) fieldErrors[error.field!] = error.message_zh;
    else formError.value = error.message_zh;
    return error;
  }

  /** Runs `action`, showing its refusal; whether it succeeded. */
  async function attempt(action: () => Promise<unknown>): Promise<boolean> {
    clear();
    try {
      await action();
      return true;
    } catch (error) {
      show(error);
      return false;
    }
  }

  return { fieldErrors, formError, problem, clear, show, attempt };
}
