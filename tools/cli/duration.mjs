// Durations on the command line (train's --time-budget): 90s, 50m, 2h, 1h30m, 1.5h.

/** Milliseconds of a duration written as one or more NUMBER UNIT parts (h, m, s; largest first), or null when the text is not one or is zero. */
export function parseDuration(text) {
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(String(text).trim());
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return null;
  const ms = ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
  return ms > 0 ? ms : null;
}

/** A duration in milliseconds as the command line writes it: 45s, 50m, 2h, 1h30m, 2m30s. */
export function formatDuration(ms) {
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''];
  return parts.join('');
}
