// Numbers and times as operators read them; no number is invented, missing values show a dash.

export const DASH = "—";

const PREFIXES = [
  [1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""], [1e-3, "m"], [1e-6, "µ"], [1e-9, "n"],
];
const SCALED_UNITS = new Set(["s", "Hz"]);

/** A number with `digits` significant digits, or a dash when it is missing. */
export function sig(value, digits = 4) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** `value ± stderr unit`, with an SI prefix for seconds and hertz. */
export function quantity(value, stderr, unit) {
  if (value === null || value === undefined) return DASH;
  let scale = 1;
  let shown = unit === "1" ? "" : unit;
  if (SCALED_UNITS.has(unit) && value !== 0) {
    const [factor, prefix] = PREFIXES.find(([f]) => Math.abs(value) >= f) ?? PREFIXES.at(-1);
    scale = factor;
    shown = `${prefix}${unit}`;
  }
  const main = sig(value / scale);
  const error = stderr === null || stderr === undefined ? "" : ` ± ${sig(stderr / scale, 2)}`;
  return `${main}${error}${shown ? ` ${shown}` : ""}`;
}

/** Microseconds as µs, ms or s, whichever reads best. */
export function latency(us) {
  if (us === null || us === undefined) return DASH;
  if (us >= 1e6) return `${sig(us / 1e6, 3)} s`;
  if (us >= 1e3) return `${sig(us / 1e3, 3)} ms`;
  return `${sig(us, 3)} µs`;
}

/** An integer with thousands separators. */
export function count(value) {
  if (value === null || value === undefined) return DASH;
  return Number(value).toLocaleString("en-US");
}

/** Epoch seconds as a local date and time. */
export function when(epochSeconds) {
  if (epochSeconds === null || epochSeconds === undefined) return DASH;
  return new Date(epochSeconds * 1000).toLocaleString("en-GB", {
    year: "numeric", month: "short", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

/** Milliseconds as ms or s. */
export function duration(ms) {
  if (ms === null || ms === undefined) return DASH;
  return ms >= 1000 ? `${sig(ms / 1000, 3)} s` : `${sig(ms, 3)} ms`;
}

/** The first eight characters of a run id, enough to tell runs apart on screen. */
export function shortId(id) {
  return String(id).slice(0, 8);
}
