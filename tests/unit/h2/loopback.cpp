#include "loopback.h"

#include <algorithm>
#include <cstring>

#include <gtest/gtest.h>

namespace teapot::h2::test {

namespace {

std::string text(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

client& client_of(void* user) {
  return *static_cast<client*>(user);
}

int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
              std::size_t namelen, const std::uint8_t* value, std::size_t valuelen, std::uint8_t,
              void* user) {
  client_stream& s = client_of(user).streams[frame->hd.stream_id];
  const std::string n = text(name, namelen);
  const std::string v = text(value, valuelen);
  if (n == ":status") {
    const int code = std::stoi(v);
    if (code / 100 == 1) {
      s.interim.push_back(code);
    } else {
      s.status = code;
    }
    return 0;
  }
  if (s.in_trailers) {
    s.trailers.emplace_back(n, v);
  } else {
    s.headers.emplace_back(n, v);
  }
  return 0;
}

int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  client_stream& s = client_of(user).streams[frame->hd.stream_id];
  s.in_trailers = s.status != 0;  // a header block after the final response
  return 0;
}

int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data,
            std::size_t len, void* user) {
  client_of(user).streams[id].body += text(data, len);
  return 0;
}

int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  client& c = client_of(user);
  const std::int32_t id = frame->hd.stream_id;
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    c.goaway = frame->goaway.error_code;
    c.goaway_last_stream = frame->goaway.last_stream_id;
  } else if (frame->hd.type == NGHTTP2_RST_STREAM) {
    c.streams[id].reset = frame->rst_stream.error_code;
  } else if ((frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS) &&
             (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
    c.streams[id].ended = true;
  }
  return 0;
}

ssize_t read_upload(nghttp2_session* ng, std::int32_t id, std::uint8_t* buf, std::size_t length,
                    std::uint32_t* flags, nghttp2_data_source*, void* user) {
  client::upload& u = client_of(user).uploads[id];
  const std::size_t n = std::min(length, u.body.size() - u.sent);
  std::memcpy(buf, u.body.data() + u.sent, n);
  u.sent += n;
  if (u.sent == u.body.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (u.trailers) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      std::vector<nghttp2_nv> nv;
      for (auto& [name, value] : *u.trailers) {
        nv.push_back({reinterpret_cast<std::uint8_t*>(name.data()),
                      reinterpret_cast<std::uint8_t*>(value.data()), name.size(), value.size(),
                      NGHTTP2_NV_FLAG_NONE});
      }
      nghttp2_submit_trailer(ng, id, nv.data(), nv.size());
    }
  }
  return static_cast<ssize_t>(n);
}

// NO_COPY_NAME keeps names as given: nghttp2 lower-cases the names it copies, and a test must
// be able to send an uppercase one. The names must then live until the frame is sent.
std::vector<nghttp2_nv> to_nv(const field_list& fields) {
  std::vector<nghttp2_nv> nv;
  for (const auto& [name, value] : fields) {
    nv.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                  reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                  value.size(), NGHTTP2_NV_FLAG_NO_COPY_NAME});
  }
  return nv;
}

std::string copy(std::string_view v) {
  return std::string(v);
}

field_list copy(std::span<const header_field> fields) {
  field_list out;
  for (const header_field& f : fields)
    out.emplace_back(f.name, f.value);
  return out;
}

}  // namespace

field_list get(std::string_view path) {
  return {{":method", "GET"},
          {":scheme", "http"},
          {":authority", "example.test"},
          {":path", std::string(path)}};
}

field_list post(std::string_view path, std::optional<std::size_t> content_length) {
  field_list f = get(path);
  f[0].second = "POST";
  if (content_length) f.emplace_back("content-length", std::to_string(*content_length));
  return f;
}

client::client(std::vector<nghttp2_settings_entry> settings) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame_recv);
  nghttp2_session_client_new(&ng, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  nghttp2_submit_settings(ng, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
}

client::~client() {
  nghttp2_session_del(ng);
}

std::int32_t client::request(const field_list& fields, std::optional<std::string> body,
                             std::optional<field_list> trailers) {
  const std::vector<nghttp2_nv> nv = to_nv(sent_heads.emplace_back(fields));
  nghttp2_data_provider provider{};
  provider.read_callback = &read_upload;
  const std::int32_t id = nghttp2_submit_request(ng, nullptr, nv.data(), nv.size(),
                                                 body ? &provider : nullptr, nullptr);
  if (body) uploads[id] = upload{std::move(*body), 0, std::move(trailers)};
  return id;
}

void client::reset(std::int32_t id, std::uint32_t code) {
  nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, id, code);
}

void client::ping() {
  nghttp2_submit_ping(ng, NGHTTP2_FLAG_NONE, nullptr);
}

std::string client::output() {
  std::string out;
  for (;;) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(ng, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  return out;
}

void client::input(std::string_view bytes) {
  const auto n = nghttp2_session_mem_recv(ng, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                          bytes.size());
  EXPECT_EQ(n, static_cast<ssize_t>(bytes.size())) << nghttp2_strerror(static_cast<int>(n));
}

std::size_t client::content_sent(std::int32_t id) const {
  const auto it = uploads.find(id);
  return it == uploads.end() ? 0 : it->second.sent;
}

void recorder::on_request(stream_id id, const request_head& head) {
  seen_head h{copy(head.method), copy(head.scheme), copy(head.authority), copy(head.path),
              copy(head.fields), head.ends_stream,  head.content_length};
  heads[id] = h;
  log.push_back("request " + std::to_string(id) + " " + h.method + " " + h.path);
  if (answer_head) answer_head(id, h);
}

void recorder::on_request_rejected(stream_id id, request_error why, const request_head& partial) {
  heads[id] = seen_head{copy(partial.method),  copy(partial.scheme), copy(partial.authority),
                        copy(partial.path),    copy(partial.fields), partial.ends_stream,
                        partial.content_length};
  log.push_back("rejected " + std::to_string(id) + " " + std::string(name_of(why)));
  if (answer_rejected) answer_rejected(id, why);
}

void recorder::on_data(stream_id id, std::string_view bytes) {
  content[id] += bytes;
  log.push_back("data " + std::to_string(id) + " " + std::to_string(bytes.size()));
  if (consume_at_once) server->consume(id, bytes.size());
}

void recorder::on_trailers(stream_id id, std::span<const header_field> fields) {
  trailers[id] = copy(fields);
  log.push_back("trailers " + std::to_string(id));
}

void recorder::on_end_stream(stream_id id) {
  log.push_back("end " + std::to_string(id));
  if (answer_end) answer_end(id);
}

void recorder::on_stream_reset(stream_id id, error_code code) {
  log.push_back("reset " + std::to_string(id) + " " + std::string(name_of(code)));
}

void recorder::on_stream_closed(stream_id id, error_code code) {
  log.push_back("closed " + std::to_string(id) + " " + std::string(name_of(code)));
}

std::size_t recorder::count(std::string_view prefix) const {
  return static_cast<std::size_t>(std::count_if(log.begin(), log.end(), [&](const std::string& l) {
    return std::string_view(l).starts_with(prefix);
  }));
}

session_config with_clock(session_config c, const manual_clock& clock) {
  c.clock = clock.reader();
  return c;
}

loopback::loopback(session_config config, std::vector<nghttp2_settings_entry> settings)
    : server(std::make_unique<session>(owner, with_clock(std::move(config), clock))),
      peer(std::move(settings)) {
  owner.server = server.get();
}

feed_result loopback::feed_raw(std::string_view bytes) {
  const feed_result r = server->feed(bytes);
  std::string down;
  server->take_output(down);
  if (!down.empty()) peer.input(down);
  return r;
}

feed_result loopback::pump(std::size_t piece) {
  feed_result first{};
  for (int round = 0; round < 10'000; ++round) {
    const std::string up = peer.output();
    for (std::size_t at = 0; at < up.size();) {
      const std::size_t n = piece == 0 ? up.size() : std::min(piece, up.size() - at);
      const feed_result r = server->feed(std::string_view(up).substr(at, n));
      if (!r.ok() && first.ok()) first = r;
      at += n;
    }
    std::string down;
    server->take_output(down);
    if (!down.empty()) peer.input(down);
    if (up.empty() && down.empty()) return first;
  }
  ADD_FAILURE() << "the two sides never stopped talking";
  return first;
}

std::vector<header_field> as_fields(const field_list& list) {
  std::vector<header_field> out;
  for (const auto& [name, value] : list)
    out.push_back({name, value});
  return out;
}

}  // namespace teapot::h2::test
