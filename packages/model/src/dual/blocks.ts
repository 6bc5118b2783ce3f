import { AdamBlock, type Block, functionBlock } from '@hetmtl/optimizer';
import { solveCoefficients } from './coefficient-block.js';
import { objectiveTensor } from './objective.js';
import { restandardize } from './rescale.js';
import type { DualTrainer } from './trainer.js';

/**
 * The blocks of one round of the encoder phase (method.md §4): (a) Adam on the task-specific
 * encoders with γ, c and their decoders, (b) Adam on the shared encoder and its decoder, (c) the
 * rescaling with compensation, (d) the coefficient block. Dispose the blocks after the phase.
 */
export function encoderBlocks(tr: DualTrainer): Block[] {
  const out: Block[] = [];
  const loss = () => objectiveTensor(tr);
  const options = { steps: tr.config.stepsPerBlock, learningRate: tr.config.learningRate };
  if (tr.specific) {
    const t = tr.store.tensors();
    const vars = [
      ...Object.values(tr.specific.variables),
      t.gamma,
      t.c,
      ...Object.values(tr.decoderS?.variables ?? {}),
    ];
    out.push(trainsCoefficients(tr, new AdamBlock('task-specific', vars, loss, options)));
  }
  const sharedVars = [
    ...Object.values(tr.shared.variables),
    ...Object.values(tr.decoder0?.variables ?? {}),
  ];
  if (Object.keys(tr.shared.variables).length > 0)
    out.push(trainsCoefficients(tr, new AdamBlock('shared', sharedVars, loss, options)));
  out.push(functionBlock('rescale', () => restandardize(tr, true)));
  out.push(functionBlock('coefficients', () => solveCoefficients(tr)));
  return out;
}

/** An Adam block after which the store reads back the γ and c it may have trained. */
function trainsCoefficients(tr: DualTrainer, block: AdamBlock): Block {
  return {
    name: block.name,
    run: async (ctx) => {
      const res = await block.run(ctx);
      tr.store.pullTrained();
      return res;
    },
    dispose: () => block.dispose(),
  };
}
