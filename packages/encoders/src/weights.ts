import { describeReceived, SerializationError, tf } from '@hetmtl/tensor';
import type { EncoderWeights, WeightValues } from './types.js';

let nextVariableId = 0;

function registered(name: string): boolean {
  return (
    (tf.engine() as unknown as { registeredVariables: Record<string, unknown> })
      .registeredVariables[name] !== undefined
  );
}

/**
 * Creates a trainable float32 variable. TensorFlow.js needs engine-wide unique variable names, so
 * the engine name is `key#<counter>` (skipping names in use); encoders expose it under `key`.
 */
export function makeVariable(
  key: string,
  values: Float32Array | Float64Array | readonly number[],
  shape: readonly number[],
): tf.Variable {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  let name = `${key}#${nextVariableId++}`;
  while (registered(name)) name = `${key}#${nextVariableId++}`;
  return tf.tidy(() => tf.variable(tf.tensor(data, [...shape], 'float32'), true, name));
}

/** A record of variables as plain JSON-safe arrays (what {@link EncoderInstance.getWeights} returns). */
export function readVariables(variables: Readonly<Record<string, tf.Variable>>): EncoderWeights {
  const out: EncoderWeights = {};
  for (const [key, v] of Object.entries(variables)) {
    out[key] = { shape: v.shape.slice(), values: Array.from(v.dataSync() as Float32Array) };
  }
  return out;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Validates `weights` against `variables` — exactly the same names, the same shapes, finite
 * numbers — and only then assigns them all. Throws a {@link SerializationError} naming the weight.
 * `what` names the encoder in messages (e.g. `mlp encoder "shared"`).
 */
export function assignVariables(
  variables: Readonly<Record<string, tf.Variable>>,
  weights: EncoderWeights,
  what: string,
): void {
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    throw new SerializationError(`Cannot set the weights of the ${what}`, {
      expected: 'an object mapping weight names to { shape, values }',
      received: describeReceived(weights),
    });
  }
  const names = Object.keys(variables);
  const fix =
    'Pass the object returned by getWeights() of an encoder built from the same spec and dimensions';
  for (const key of Object.keys(weights)) {
    if (!(key in variables)) {
      throw new SerializationError(`Unknown weight "${key}" for the ${what}`, {
        expected:
          names.length > 0
            ? `only the weights ${names.map((n) => `"${n}"`).join(', ')}`
            : 'no weights',
        received: `"${key}"`,
        fix,
      });
    }
  }
  const checked: [tf.Variable, WeightValues][] = [];
  for (const key of names) {
    const v = variables[key];
    const w = (weights as Record<string, WeightValues | undefined>)[key];
    if (w === undefined) {
      throw new SerializationError(`Missing weight "${key}" for the ${what}`, {
        expected: `a weight of shape [${v.shape}]`,
        received: 'nothing',
        fix,
      });
    }
    if (
      typeof w !== 'object' ||
      w === null ||
      !Array.isArray(w.shape) ||
      !(Array.isArray(w.values) || ArrayBuffer.isView(w.values))
    ) {
      throw new SerializationError(`Weight "${key}" of the ${what} is malformed`, {
        expected: '{ shape: number[], values: number[] }',
        received: describeReceived(w),
        fix,
      });
    }
    if (!sameShape(w.shape, v.shape)) {
      throw new SerializationError(`Weight "${key}" of the ${what} has the wrong shape`, {
        expected: `[${v.shape}]`,
        received: `[${w.shape}]`,
        fix,
      });
    }
    if (w.values.length !== v.size) {
      throw new SerializationError(
        `Weight "${key}" of the ${what} has the wrong number of values`,
        {
          expected: `${v.size} values for shape [${v.shape}]`,
          received: `${w.values.length}`,
          fix,
        },
      );
    }
    for (let i = 0; i < w.values.length; i++) {
      const x = w.values[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new SerializationError(
          `Weight "${key}" of the ${what} has a non-finite value at index ${i}`,
          { expected: 'finite numbers', received: describeReceived(x), fix },
        );
      }
    }
    checked.push([v, w]);
  }
  for (const [v, w] of checked) {
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(w.values), v.shape, 'float32')));
  }
}

/** Disposes every variable of a record that is not disposed yet. */
export function disposeVariables(variables: Readonly<Record<string, tf.Variable>>): void {
  for (const v of Object.values(variables)) if (!v.isDisposed) v.dispose();
}
