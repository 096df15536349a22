// The dashboard's ECharts options, built from the office's figures (GET /api/v1/applications/stats) and the
// year's push schedule: plain objects, so that they are tested without a canvas.
import { pushMonthsAgainst, type OfficeStats } from "./office";

const RED = "#b91c1c";
const PALETTE = ["#b91c1c", "#2563eb", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569"];

type Counts = OfficeStats["by_series"];

export function barOption(title: string, counts: Counts, horizontal = false) {
  const names = counts.map((c) => c.name);
  const values = counts.map((c) => c.count);
  const category = { type: "category", data: names, axisLabel: { interval: 0, overflow: "truncate", width: 90 } };
  const value = { type: "value", minInterval: 1 };
  return {
    color: PALETTE,
    title: { text: title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    grid: { left: horizontal ? 110 : 40, right: 20, top: 40, bottom: 40 },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: [{ type: "bar", name: "申报数", data: values, barMaxWidth: 36, label: { show: true, position: horizontal ? "right" : "top" } }],
  };
}

export function pieOption(title: string, counts: Counts) {
  return {
    color: PALETTE,
    title: { text: title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    legend: { type: "scroll", bottom: 0 },
    series: [
      {
        type: "pie",
        name: "申报数",
        radius: ["35%", "62%"],
        top: 20,
        bottom: 30,
        data: counts.map((c) => ({ name: c.name, value: c.count })),
        label: { formatter: "{b}\n{c}" },
      },
    ],
  };
}

export function passRateOption(stats: OfficeStats) {
  const rows = stats.pass_rates;
  const pct = (n: number, d: number) => (d ? Math.round((n / d) * 1000) / 10 : null);
  return {
    color: [RED, "#2563eb"],
    title: { text: "通过率（%）", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis", valueFormatter: (v: unknown) => (v === null || v === undefined ? "—" : `${v}%`) },
    legend: { bottom: 0 },
    grid: { left: 40, right: 20, top: 40, bottom: 50 },
    xAxis: { type: "category", data: rows.map((r) => r.series), axisLabel: { interval: 0 } },
    yAxis: { type: "value", max: 100 },
    series: [
      { type: "bar", name: "资格审查符合率", data: rows.map((r) => pct(r.eligible, r.assessed)), barMaxWidth: 28 },
      { type: "bar", name: "评审通过率", data: rows.map((r) => pct(r.titled, r.concluded)), barMaxWidth: 28 },
    ],
  };
}

/** The push months as bars on a January–December axis, coloured passed / this month / to come, with a
 * line at today. */
export function pushMonthsOption(
  year: number,
  today: string,
  series: readonly { series: string; push_month: number; push_deadline: string }[],
) {
  const rows = pushMonthsAgainst(year, today, series);
  const colours = { past: "#a8abb2", current: RED, coming: "#2563eb" };
  const names = { past: "已过", current: "本月推送", coming: "待推送" };
  const [y, m, d] = today.split("-").map(Number);
  const daysInMonth = new Date(y, m, 0).getDate();
  const todayX = y === year ? m - 1 + d / daysInMonth : y < year ? 0 : 12;
  return {
    title: { text: `${year} 年推送月份`, left: "center", textStyle: { fontSize: 14 } },
    tooltip: {
      trigger: "item",
      formatter: (p: { dataIndex: number }) => {
        const r = rows[p.dataIndex];
        return r ? `${r.series}：${r.push_month} 月推送（截止 ${r.deadline}，${names[r.state]}）` : "";
      },
    },
    grid: { left: 120, right: 30, top: 40, bottom: 30 },
    xAxis: {
      type: "value",
      min: 0,
      max: 12,
      interval: 1,
      axisLabel: { formatter: (v: number) => (v < 12 ? `${v + 1}月` : "") },
    },
    yAxis: { type: "category", data: rows.map((r) => r.series), inverse: true },
    series: [
      { type: "bar", stack: "month", silent: true, itemStyle: { color: "transparent" }, data: rows.map((r) => r.push_month - 1) },
      {
        type: "bar",
        stack: "month",
        name: "推送月份",
        barMaxWidth: 18,
        data: rows.map((r) => ({ value: 1, itemStyle: { color: colours[r.state] } })),
        markLine: {
          symbol: "none",
          lineStyle: { color: RED, type: "dashed" },
          label: { formatter: `今天 ${today}` },
          data: [{ xAxis: todayX }],
        },
      },
    ],
  };
}
