import { SerializationError, tf, ValidationError } from '@hetmtl/tensor';
import { checkForwardInput, checkNotDisposed } from './forward-input.js';
import type {
  EncoderBuildContext,
  EncoderDefinition,
  EncoderInstance,
  EncoderSpec,
  EncoderWeights,
} from './types.js';

/**
 * A batched encoder made of R unbatched instances of a plugin that does not support `ctx.tasks`:
 * correct, but one small model per task (R times the kernels of a batched plugin).
 *
 * Task r is built with the r-th child of `ctx.rng`. Variables are named `<name>@<r>`; `getWeights`
 * and `setWeights` follow the stacking convention (each weight gains a leading axis R), so the
 * result is interchangeable with a natively batched encoder.
 */
export function loopOverTasks<C>(
  def: EncoderDefinition<C>,
  config: C,
  spec: EncoderSpec,
  ctx: EncoderBuildContext & { readonly tasks: number },
): EncoderInstance {
  const tasks = ctx.tasks;
  const what = `${def.kind} encoder${ctx.name ? ` "${ctx.name}"` : ''} (a loop over ${tasks} tasks)`;
  const instances: EncoderInstance[] = [];
  try {
    for (let r = 0; r < tasks; r++) {
      const { tasks: _omit, ...single } = ctx;
      instances.push(def.build(config, { ...single, rng: ctx.rng.child() }));
    }
  } catch (e) {
    for (const instance of instances) instance.dispose();
    throw e;
  }
  const variables: Record<string, tf.Variable> = {};
  instances.forEach((instance, r) => {
    for (const [key, v] of Object.entries(instance.variables)) variables[`${key}@${r}`] = v;
  });
  const first = instances[0];
  let disposed = false;

  const wrapper: EncoderInstance = {
    spec,
    inputDim: first.inputDim,
    outputDim: first.outputDim,
    tasks,
    variables: Object.freeze(variables),
    forward(x: tf.Tensor): tf.Tensor {
      checkNotDisposed(disposed, what);
      return tf.tidy(() => {
        const slices = tf.unstack(checkForwardInput(x, first.inputDim, tasks, what));
        return tf.stack(slices.map((xr, r) => instances[r].forward(xr)));
      });
    },
    getWeights(): EncoderWeights {
      checkNotDisposed(disposed, what);
      const perTask = instances.map((instance) => instance.getWeights());
      const out: EncoderWeights = {};
      for (const [key, w0] of Object.entries(perTask[0])) {
        const values: number[] = [];
        for (const w of perTask) for (const v of w[key].values) values.push(v);
        out[key] = { shape: [tasks, ...w0.shape], values };
      }
      return out;
    },
    setWeights(weights: EncoderWeights): void {
      checkNotDisposed(disposed, what);
      if (typeof weights !== 'object' || weights === null) {
        throw new SerializationError(`Cannot set the weights of the ${what}`, {
          expected: 'an object mapping weight names to { shape, values }',
        });
      }
      const perTask: EncoderWeights[] = instances.map(() => ({}));
      for (const [key, w] of Object.entries(weights)) {
        if (
          !Array.isArray(w?.shape) ||
          w.shape[0] !== tasks ||
          w.values?.length === undefined ||
          w.values.length % tasks !== 0
        ) {
          throw new SerializationError(`Weight "${key}" of the ${what} has the wrong shape`, {
            expected: `a leading axis of length ${tasks} (the tasks)`,
            received: Array.isArray(w?.shape) ? `[${w.shape}]` : 'no shape',
            fix: 'Pass the object returned by getWeights() of an encoder built from the same spec and dimensions',
          });
        }
        const size = w.values.length / tasks;
        perTask.forEach((t, r) => {
          t[key] = {
            shape: w.shape.slice(1),
            values: Array.from(w.values.slice(r * size, (r + 1) * size)),
          };
        });
      }
      // Each instance validates its own names and shapes; on a failure, restore every task.
      const backup = instances.map((instance) => instance.getWeights());
      try {
        for (let r = 0; r < tasks; r++) instances[r].setWeights(perTask[r]);
      } catch (e) {
        for (let r = 0; r < tasks; r++) instances[r].setWeights(backup[r]);
        throw e;
      }
    },
    dispose(): void {
      disposed = true;
      for (const instance of instances) instance.dispose();
    },
  };
  if (instances.every((instance) => instance.setLinearMap !== undefined)) {
    wrapper.setLinearMap = (W, mean) => {
      checkNotDisposed(disposed, what);
      const pick = (
        value: Float64Array | readonly Float64Array[],
        r: number,
        label: string,
      ): Float64Array => {
        if (ArrayBuffer.isView(value)) return value;
        if (value.length !== tasks) {
          throw new ValidationError(
            `setLinearMap of the ${what}: wrong number of ${label} arrays`,
            {
              expected: `one array for all tasks or ${tasks} (one per task)`,
              received: `${value.length}`,
            },
          );
        }
        return value[r];
      };
      for (let r = 0; r < tasks; r++)
        instances[r].setLinearMap?.(pick(W, r, 'W'), pick(mean, r, 'mean'));
    };
  }
  return Object.freeze(wrapper);
}
