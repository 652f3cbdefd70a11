/** Mean and mean square over every entry of a time-major batch `[T][batch]`. */
export function batchMoments(rows: ArrayLike<number>[]): { mean: number; meanSquare: number; count: number } {
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      sum += v;
      sumSq += v * v;
    }
    count += row.length;
  }
  return count === 0
    ? { mean: 0, meanSquare: 0, count }
    : { mean: sum / count, meanSquare: sumSq / count, count };
}
