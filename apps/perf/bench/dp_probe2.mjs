import os from 'node:os';
import { initBackend } from '@ddar/backend';
import { DDARModel } from '@ddar/disentangle';
import { randomDataset, trainApiThroughput } from './train_api.mjs';
await initBackend({ log: false });
const createModel = () => DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10, backboneOptions: { width: 0.5 }, seed: 1 });
const dataset = randomDataset(2048);
const med = (a) => { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)].toFixed(1); };
for (const workers of (process.env.W ?? "1").split(",").map(Number)) {
  globalThis.__T = undefined;
  const r = await trainApiThroughput({ createModel, dataset, batchSize: 64, epochs: 2, workers });
  const T = globalThis.__T ?? { own: [0], wait: [0], apply: [0] };
  console.log('workers', workers, r.rate.toFixed(1), 'img/s', (r.perStep*1000).toFixed(1), 'ms/step; main shard', med(T.own), 'wait', med(T.wait), 'apply', med(T.apply), 'first', T.own.slice(0,3).map(v=>v.toFixed(0)).join(','), 'load', os.loadavg()[0].toFixed(2));
}
