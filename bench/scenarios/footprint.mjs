// Scenarios 5 and 6: cold start and bundle size, measured by the same scripts that enforce their
// budgets in `npm run check` and CI.

import { BUDGET_KB, explainSize, GOAL_KB, measureSize } from '../../scripts/check-size.mjs';
import { BUDGET_MS, measureColdStart } from '../../scripts/coldstart.mjs';

export async function coldStart() {
  return { ...measureColdStart({ pairs: 20, warmup: 3 }), budgetMs: BUDGET_MS };
}

export async function size() {
  const [measured, explained] = [await measureSize(), await explainSize()];
  return { ...measured, ...explained, budgetKb: BUDGET_KB, goalKb: GOAL_KB };
}
