// The `dataParallel.replica` module of data_parallel/group.test.ts. Workers load it with a real import(); it is CommonJS so
// that the TypeScript it requires goes through the swc preload the test workers run with.
const { TinyClassifier } = require('./tiny_classifier.ts');

// `fault` makes only the worker's copy misbehave: 'nan' poisons its reconstruction term, 'throw' its loss.
exports.createTinyClassifier = ({ fault, ...options }) => {
  const model = new TinyClassifier(options);
  if (fault === 'nan') model.reconstructionFactor = NaN;
  if (fault === 'throw') {
    model.lossTerms = () => {
      throw new Error('lossTerms failed in the replica');
    };
  }
  return model;
};
exports.notAFunction = 42;
