import { AdamBlock, type Block, FusedAdamBlock, functionBlock } from '@hetmtl/optimizer';
import type { EncoderInstance } from '@hetmtl/encoders';
import { solveCoefficients } from './coefficient-block.js';
import { type GlmRows, glmObjectiveTensor } from './glm-objective.js';
import { type AnalyticBlock, linearVars, sharedBlock, specificBlock } from './linear-step.js';
import { objectiveTensor } from './objective.js';
import { restandardize } from './rescale.js';
import type { DualTrainer } from './trainer.js';

/**
 * The blocks of one round of the encoder phase (method.md §4): (a) Adam on the task-specific
 * encoders with γ, c and their decoders, (b) Adam on the shared encoder and its decoder, (c) the
 * rescaling with compensation, (d) the coefficient block. Dispose the blocks after the phase.
 *
 * A block on a linear encoder runs the analytic gradient (linear-step.ts) with the fused Adam
 * update unless `config.gradient` is 'autodiff'; other encoders differentiate objective.ts with
 * tfjs's tape and take the fused update (equal to tfjs's Adam bit for bit on cpu); 'autodiff' is
 * the reference: tfjs's tape and tfjs's Adam for every block.
 */
export function encoderBlocks(tr: DualTrainer): Block[] {
  const out: Block[] = [];
  const loss = () => objectiveTensor(tr);
  const options = { steps: tr.config.stepsPerBlock, learningRate: tr.config.learningRate };
  const analytic = tr.config.gradient !== 'autodiff';
  // Other encoders: tfjs's autodiff with the fused update (tfjs's Adam for 'autodiff').
  const adam = { ...options, update: analytic ? ('fused' as const) : ('tfjs' as const) };
  const fused = (name: string, b: AnalyticBlock): Block => {
    const block = new FusedAdamBlock(name, b.variables, b.program, { ...options, decay: b.decay });
    const dispose = () => {
      block.dispose();
      b.dispose();
    };
    return { name, run: (ctx) => block.run(ctx), dispose };
  };
  const a = analytic && tr.specific ? specificBlock(tr, linearVars(tr.shared)) : null;
  if (a) out.push(trainsCoefficients(tr, fused('task-specific', a)));
  else if (tr.specific) {
    const t = tr.store.tensors();
    const vars = [
      ...Object.values(tr.specific.variables),
      t.gamma,
      t.c,
      ...Object.values(tr.decoderS?.variables ?? {}),
    ];
    out.push(trainsCoefficients(tr, new AdamBlock('task-specific', vars, loss, adam)));
  }
  const sharedVars = [
    ...Object.values(tr.shared.variables),
    ...Object.values(tr.decoder0?.variables ?? {}),
  ];
  const b = analytic ? sharedBlock(tr) : null;
  if (b) out.push(trainsCoefficients(tr, fused('shared', b)));
  else if (Object.keys(tr.shared.variables).length > 0)
    out.push(trainsCoefficients(tr, new AdamBlock('shared', sharedVars, loss, adam)));
  out.push(functionBlock('rescale', () => restandardize(tr, true)));
  out.push(functionBlock('coefficients', () => solveCoefficients(tr)));
  return out;
}

/** An Adam block after which the store reads back the γ and c it may have trained. */
function trainsCoefficients(tr: DualTrainer, block: Block): Block {
  return {
    name: block.name,
    run: async (ctx) => {
      const res = await block.run(ctx);
      tr.store.pullTrained();
      return res;
    },
    dispose: () => block.dispose?.(),
  };
}

/**
 * The blocks of one round of the GLM encoder phase (binomial, poisson): (a) Adam on the
 * task-specific encoders and their decoders, (b) Adam on the shared encoder and its decoder — both on
 * the deviance objective of glm-objective.ts with β, γ and c fixed, by tfjs's tape (the fused Adam
 * update; tfjs's Adam for `gradient: 'autodiff'`) — (c) the rescaling with compensation, (d) the
 * GLM coefficient block `coefficients` (the caller's: IRLS at λ = 0 on the new factors).
 */
export function glmEncoderBlocks(
  tr: DualTrainer,
  rows: GlmRows,
  coefficients: () => void,
): Block[] {
  const loss = () => glmObjectiveTensor(tr, rows);
  const adam = {
    steps: tr.config.stepsPerBlock,
    learningRate: tr.config.learningRate,
    update: tr.config.gradient === 'autodiff' ? ('tfjs' as const) : ('fused' as const),
  };
  const out: Block[] = [];
  const vars = (...es: (EncoderInstance | null)[]) =>
    es.flatMap((e) => (e ? Object.values(e.variables) : []));
  const specific = tr.specific ? vars(tr.specific, tr.decoderS) : [];
  if (specific.length > 0) out.push(new AdamBlock('task-specific', specific, loss, adam));
  if (Object.keys(tr.shared.variables).length > 0)
    out.push(new AdamBlock('shared', vars(tr.shared, tr.decoder0), loss, adam));
  out.push(functionBlock('rescale', () => restandardize(tr, true)));
  out.push(functionBlock('coefficients', coefficients));
  return out;
}
