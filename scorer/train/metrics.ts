export interface BinaryMetrics {
  readonly count: number;
  readonly spam: number;
  readonly ham: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Share of ham called spam. */
  readonly falsePositiveRate: number;
}

export function binaryMetrics(labels: readonly boolean[], predictedSpam: readonly boolean[]): BinaryMetrics {
  let tp = 0, fp = 0, fn = 0, spam = 0;
  labels.forEach((isSpam, i) => {
    if (isSpam) spam += 1;
    if (predictedSpam[i] && isSpam) tp += 1;
    else if (predictedSpam[i] && !isSpam) fp += 1;
    else if (!predictedSpam[i] && isSpam) fn += 1;
  });
  const ham = labels.length - spam;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    count: labels.length, spam, ham, truePositives: tp, falsePositives: fp, falseNegatives: fn,
    precision: round(precision), recall: round(recall), f1: round(f1), falsePositiveRate: round(ham === 0 ? 0 : fp / ham),
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
