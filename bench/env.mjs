/** A positive integer setting from the environment, refused loudly when it is not one. */
export function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer; received ${JSON.stringify(raw)}.`);
  }
  return value;
}
