#include "server/status_page.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <string_view>

#include "base/html.h"
#include "teapot/http/status.h"

namespace teapot::srv {

namespace {

std::string reason_of(int code) {
  const http::status_info* info = http::find_status(code);
  return info ? std::string(info->reason) : std::string("(unregistered)");
}

// The classes' colours, dark enough on white for text beside them.
constexpr std::array<std::string_view, 5> class_colour = {"#6b7280", "#15803d", "#1d4ed8",
                                                          "#c2410c", "#b91c1c"};

std::string duration_text(std::int64_t seconds) {
  char buf[64];
  const long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  if (d > 0)
    (void)std::snprintf(buf, sizeof buf, "%lld d %lld h", d, h);
  else if (h > 0)
    (void)std::snprintf(buf, sizeof buf, "%lld h %lld min", h, m);
  else
    (void)std::snprintf(buf, sizeof buf, "%lld min %lld s", m,
                        static_cast<long long>(seconds % 60));
  return buf;
}

// The window's slots, oldest first; a slot without its epoch counts nothing.
std::array<recent_slot, recent_slots> window_of(const status_view& v, std::int64_t now_ms) {
  std::array<recent_slot, recent_slots> out{};
  const std::int64_t newest = now_ms / recent_slot_ms;
  for (std::size_t i = 0; i < recent_slots; ++i) {
    const std::int64_t epoch = newest - static_cast<std::int64_t>(recent_slots - 1 - i);
    if (epoch < 0) continue;
    const recent_slot& s = v.recent[static_cast<std::size_t>(epoch) % recent_slots];
    if (s.epoch == epoch) out[i] = s;
    out[i].epoch = epoch;
  }
  return out;
}

// Stacked bars, one per slot, classes bottom up; the tallest bar fills the height.
void append_chart(std::string& out, const std::array<recent_slot, recent_slots>& slots) {
  constexpr int width = 720, height = 180, bar = width / static_cast<int>(recent_slots);
  std::uint64_t tallest = 0;
  for (const recent_slot& s : slots) {
    std::uint64_t sum = 0;
    for (std::uint32_t n : s.by_class)
      sum += n;
    tallest = std::max(tallest, sum);
  }
  char buf[256];
  (void)std::snprintf(
      buf, sizeof buf,
      "<svg id=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
      "aria-label=\"Responses per 10 seconds over the last 10 minutes, by class\">",
      width, height + 20, width, height + 20);
  out += buf;
  out += "<rect x=\"0\" y=\"0\" width=\"720\" height=\"180\" fill=\"#f8fafc\"/>";
  for (std::size_t i = 0; i < slots.size() && tallest > 0; ++i) {
    double y = height;
    for (std::size_t c = 0; c < 5; ++c) {
      const std::uint32_t n = slots[i].by_class[c];
      if (n == 0) continue;
      const double h = static_cast<double>(n) * height / static_cast<double>(tallest);
      y -= h;
      (void)std::snprintf(buf, sizeof buf,
                          "<rect class=\"c%zux\" x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" "
                          "fill=\"%s\"><title>%zuxx: %u</title></rect>",
                          c + 1, static_cast<int>(i) * bar + 1, y, bar - 2, h,
                          std::string(class_colour[c]).c_str(), c + 1, n);
      out += buf;
    }
  }
  (void)std::snprintf(buf, sizeof buf,
                      "<text x=\"0\" y=\"%d\" font-size=\"12\">10 min ago</text>"
                      "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">now</text>"
                      "<text x=\"4\" y=\"14\" font-size=\"12\">max %llu per 10 s</text></svg>",
                      height + 16, width, height + 16, static_cast<unsigned long long>(tallest));
  out += buf;
}

void append_legend(std::string& out) {
  out += "<p class=\"legend\">";
  for (std::size_t c = 0; c < 5; ++c) {
    char buf[160];
    (void)std::snprintf(buf, sizeof buf,
                        "<span><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" "
                        "fill=\"%s\"/></svg> %zuxx</span> ",
                        std::string(class_colour[c]).c_str(), c + 1);
    out += buf;
  }
  out += "</p>";
}

void append_window_codes(std::string& out, const std::array<recent_slot, recent_slots>& slots) {
  std::map<int, std::uint64_t> codes;
  for (const recent_slot& s : slots)
    for (std::size_t i = 0; i < s.code_count; ++i)
      codes[s.codes[i].first] += s.codes[i].second;
  out +=
      "<table id=\"window-codes\"><thead><tr><th scope=\"col\">Code</th><th "
      "scope=\"col\">Reason</th><th scope=\"col\">Responses</th></tr></thead><tbody>";
  for (const auto& [code, n] : codes) {
    out += "<tr><td>" + std::to_string(code) + "</td><td>";
    base::append_html_escaped(out, reason_of(code));
    out += "</td><td>" + std::to_string(n) + "</td></tr>";
  }
  if (codes.empty()) out += "<tr><td colspan=\"3\">No response in the last 10 minutes.</td></tr>";
  out += "</tbody></table>";
}

void append_total_codes(std::string& out, const metrics_totals& t) {
  std::array<std::uint64_t, code_slots> by_code{};
  for (const auto& [name, m] : t.sites)
    for (std::size_t i = 0; i < code_slots; ++i)
      by_code[i] += m.by_code[i];
  out +=
      "<table id=\"total-codes\"><thead><tr><th scope=\"col\">Code</th><th "
      "scope=\"col\">Reason</th><th scope=\"col\">Responses</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < code_slots; ++i) {
    if (by_code[i] == 0) continue;
    const int code = first_code + static_cast<int>(i);
    out += "<tr><td>" + std::to_string(code) + "</td><td>";
    base::append_html_escaped(out, reason_of(code));
    out += "</td><td>" + std::to_string(by_code[i]) + "</td></tr>";
  }
  out += "</tbody></table>";
}

// Per error code, its five most frequent paths.
void append_error_paths(std::string& out, std::vector<error_path> errors) {
  std::sort(errors.begin(), errors.end(), [](const error_path& a, const error_path& b) {
    if (a.code != b.code) return a.code < b.code;
    if (a.count != b.count) return a.count > b.count;
    return a.path < b.path;
  });
  out +=
      "<table id=\"error-paths\"><thead><tr><th scope=\"col\">Code</th><th "
      "scope=\"col\">Path</th><th scope=\"col\">Responses</th></tr></thead><tbody>";
  int code = 0;
  int shown = 0;
  for (const error_path& e : errors) {
    if (e.code != code) {
      code = e.code;
      shown = 0;
    }
    if (++shown > 5) continue;
    out += "<tr><td>" + std::to_string(e.code) + "</td><td><code>";
    base::append_html_escaped(out, e.path.empty() ? std::string_view("(not parsed)") : e.path);
    out += "</code></td><td>" + std::to_string(e.count) + "</td></tr>";
  }
  if (errors.empty()) out += "<tr><td colspan=\"3\">No error response yet.</td></tr>";
  out += "</tbody></table>";
}

void append_connections(std::string& out, const status_view& v) {
  out +=
      "<table id=\"connections\"><thead><tr><th scope=\"col\">Worker</th><th "
      "scope=\"col\">Open</th><th scope=\"col\">Waiting for a request</th><th "
      "scope=\"col\">Busy</th></tr></thead><tbody>";
  std::uint64_t open = 0, waiting = 0;
  for (std::size_t i = 0; i < v.workers.size(); ++i) {
    const auto [o, w] = v.workers[i];
    open += o;
    waiting += w;
    out += "<tr><td>" + std::to_string(i + 1) + "</td><td>" + std::to_string(o) + "</td><td>" +
           std::to_string(w) + "</td><td>" + std::to_string(o - w) + "</td></tr>";
  }
  out += "</tbody><tfoot><tr><th scope=\"row\">All</th><td>" + std::to_string(open) + "</td><td>" +
         std::to_string(waiting) + "</td><td>" + std::to_string(open - waiting) +
         "</td></tr></tfoot></table>";
}

void append_connection_rows(std::string& out, std::vector<connection_row> rows) {
  // Busy ones first, over every worker (each listed its own busy ones first).
  std::stable_partition(rows.begin(), rows.end(),
                        [](const connection_row& r) { return r.state != "waiting"; });
  out +=
      "<table id=\"connection-list\"><thead><tr><th scope=\"col\">Worker</th><th "
      "scope=\"col\">Client</th><th scope=\"col\">State</th><th "
      "scope=\"col\">Request</th><th scope=\"col\">Seconds</th></tr></thead><tbody>";
  for (const connection_row& r : rows) {
    char seconds[32];
    (void)std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(r.for_ms) / 1000.0);
    out += "<tr><td>" + std::to_string(r.worker) + "</td><td>";
    base::append_html_escaped(out, r.peer);
    out += "</td><td>";
    out += r.state;
    out += "</td><td><code>";
    base::append_html_escaped(out, r.request);
    out += "</code></td><td>";
    out += seconds;
    out += "</td></tr>";
  }
  out += "</tbody></table>";
}

void append_sites(std::string& out, const std::vector<site_summary>& sites) {
  out +=
      "<table id=\"sites\"><thead><tr><th scope=\"col\">Hosts</th><th "
      "scope=\"col\">Steps</th></tr></thead><tbody>";
  for (const site_summary& s : sites) {
    out += "<tr><td>";
    if (s.hosts.empty()) out += "(any host)";
    for (std::size_t i = 0; i < s.hosts.size(); ++i) {
      if (i > 0) out += ", ";
      base::append_html_escaped(out, s.hosts[i]);
    }
    if (s.is_default) out += " <em>(default)</em>";
    out += "</td><td>";
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
      if (i > 0) out += " &rarr; ";
      base::append_html_escaped(out, s.steps[i]);
    }
    if (s.steps.empty()) out += "none";
    out += "</td></tr>";
  }
  out += "</tbody></table>";
}

constexpr std::string_view style =
    "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:760px;color:#111827;"
    "padding:0 1rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.2rem .5rem;"
    "border-bottom:1px solid #e5e7eb}td:last-child{text-align:right}#sites "
    "td:last-child{text-align:left}code{word-break:break-all}"
    ".legend span{margin-right:.8rem}svg{max-width:100%;height:auto}";

}  // namespace

std::string render_status_page(const status_page_input& in) {
  const metrics_totals& t = *in.totals;
  const server_metrics& s = *in.server;
  const auto slots = window_of(t.status, in.now_ms);
  std::string out;
  out.reserve(16 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(in.refresh_seconds) + "\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += "<title>teapot status</title><style>";
  out += style;
  out += "</style></head><body><h1>teapot status</h1>";
  out += "<p id=\"summary\">Up for " +
         duration_text(in.now_unix - static_cast<std::int64_t>(s.start_time_seconds)) + ", " +
         std::to_string(s.workers) + (s.workers == 1 ? " worker" : " workers") + ", " +
         std::to_string(s.reloads_succeeded) + " reloads (" + std::to_string(s.reloads_failed) +
         " failed). This page refreshes every " + std::to_string(in.refresh_seconds) +
         " seconds.</p>";
  out += "<h2>Responses, last 10 minutes</h2>";
  append_chart(out, slots);
  append_legend(out);
  append_window_codes(out, slots);
  out += "<h2>Responses since the start</h2>";
  append_total_codes(out, t);
  out += "<h2>Most frequent paths per error code</h2>";
  append_error_paths(out, t.status.errors);
  out += "<h2>Connections</h2>";
  append_connections(out, t.status);
  append_connection_rows(out, t.status.connections);
  out += "<h2>Sites</h2>";
  append_sites(out, in.sites);
  out += "</body></html>\n";
  return out;
}

}  // namespace teapot::srv
