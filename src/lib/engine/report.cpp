// The identify JSON object: see include/vtpilot/engine/report.hpp.
#include "vtpilot/engine/report.hpp"

#include <nlohmann/json.hpp>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot {

namespace {
using Json = nlohmann::ordered_json;
Json to_json(const std::string& file, const Recognized& r, const Screen& screen, const Policy& policy) {
  const Fields& f = r.fields;
  Json j;
  j["file"] = file;
  j["screen"] = r.known() ? Json(r.id) : Json(nullptr);
  if (!r.ambiguous.empty()) j["ambiguous"] = r.ambiguous;
  if (!f.title.empty()) j["title"] = f.title;
  if (!f.choices.empty()) {
    Json arr = Json::array();
    for (const Choice& c : f.choices) {
      Json cj{{"key", c.key}, {"label", c.label}, {"default", c.is_default}};
      Verdict v = judge(r, screen, c.key + "\r", policy);
      cj["verdict"] = v.allow ? "allow" : "refuse";
      if (!v.allow) {
        cj["code"] = v.code;
        cj["reason"] = v.reason;
      }
      arr.push_back(std::move(cj));
    }
    j["choices"] = std::move(arr);
  }
  if (!f.devices.empty()) {
    Json arr = Json::array();
    for (const Device& d : f.devices) {
      Json dj{{"key", d.key}, {"name", d.name}};
      if (!d.location.empty()) dj["location"] = d.location;
      if (!d.position.empty()) dj["position"] = d.position;
      arr.push_back(std::move(dj));
    }
    j["devices"] = std::move(arr);
  }
  if (!f.disks.empty()) {
    Json arr = Json::array();
    for (const Disk& d : f.disks) {
      Json dj{{"key", d.key}, {"name", d.name}};
      if (!d.location.empty()) dj["location"] = d.location;
      if (d.size_mb >= 0) dj["size_mb"] = d.size_mb;
      if (!d.vg.empty()) dj["vg"] = d.vg;
      if (!d.bootable.empty()) dj["bootable"] = d.bootable;
      if (!d.level.empty()) dj["level"] = d.level;
      if (!d.pvid.empty()) dj["pvid"] = d.pvid;
      dj["selected"] = d.selected;
      arr.push_back(std::move(dj));
    }
    j["disks"] = std::move(arr);
  }
  if (f.settings) {
    Json sj;
    if (!f.settings->method.empty()) sj["method"] = f.settings->method;
    if (!f.settings->disks.empty()) sj["disks"] = f.settings->disks;
    j["settings"] = std::move(sj);
  }
  if (f.progress) {
    Json pj;
    if (f.progress->percent >= 0) pj["percent"] = f.progress->percent;
    if (f.progress->elapsed_min >= 0) pj["elapsed_min"] = f.progress->elapsed_min;
    j["progress"] = std::move(pj);
  }
  if (!f.typed.empty()) j["typed"] = f.typed;
  return j;
}

}  // namespace

std::string identify_json(const std::string& file, const Recognized& recognized, const Screen& screen,
                          const Policy& policy) {
  return to_json(file, recognized, screen, policy).dump();
}

}  // namespace vtpilot
