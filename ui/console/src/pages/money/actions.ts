/** What a money action did, as the page reports it (a banner and the dashboard's toast). */
import type { ActionResult } from "./api";

export interface Outcome {
  ok: boolean;
  text: string;
}

export type Report = (outcome: Outcome) => void;

type Say = (key: "result.done" | "result.refused", params: Record<string, string>) => string;

/** Run ``call`` and report it done (``label``: the action, ``name``: what it was done to) or refused. */
export async function runAction(
  report: Report,
  say: Say,
  label: string,
  name: string,
  call: () => Promise<ActionResult>,
): Promise<void> {
  try {
    const result = await call();
    report(
      result.error
        ? { ok: false, text: say("result.refused", { message: result.error }) }
        : { ok: true, text: say("result.done", { action: label, name }) },
    );
  } catch (error) {
    report({ ok: false, text: say("result.refused", { message: error instanceof Error ? error.message : String(error) }) });
  }
}
