// The example of packages/model/README.md, as written there, returning what it prints (and the
// reloaded model's metrics) instead of printing them. src/main.ts runs it in the browser bundles; the
// test runs it in Node and compares.
import { wasmBackend } from '@hetmtl/backend-wasm';
import { simulateFactor } from '@hetmtl/data';
import { DualEncoderRegressor } from '@hetmtl/model';
import { useBackend } from '@hetmtl/tensor';

export async function readmeExample() {
  await useBackend(wasmBackend()); // the model never picks a backend itself
  const { train, test, truth } = simulateFactor({ seed: 1 });
  const model = await new DualEncoderRegressor({ seed: 1 }).fit(train);
  const printed = {
    tasks: model.evaluate(test).tasks,
    groups: model.groups(),
    truth: truth.groups,
  };
  const json = JSON.stringify(model); // one versioned document
  const again = DualEncoderRegressor.fromJSON(json);
  const reloaded = again.evaluate(test).tasks;
  model.dispose();
  again.dispose();
  return { ...printed, reloaded, documentLength: json.length };
}
