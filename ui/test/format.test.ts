import { expect, test } from "vitest";

import { formatDateTime } from "../src/format";

test("times are shown in Europe/Rome, summer and winter", () => {
  // 2026-07-01T10:00:00Z is 12:00 in Rome (CEST); 2026-01-15T10:00:00Z is 11:00 (CET).
  expect(formatDateTime(Date.UTC(2026, 6, 1, 10) / 1000, "it")).toMatch(/1 luglio 2026.*12:00/);
  expect(formatDateTime(Date.UTC(2026, 0, 15, 10) / 1000, "it")).toMatch(/15 gennaio 2026.*11:00/);
  expect(formatDateTime(Date.UTC(2026, 0, 15, 10) / 1000, "en")).toMatch(/15 January 2026.*11:00/);
});
