// Value's bulk append (AppendMoved), which the JSON reader uses for every container it closes.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cfnsplit/value.hpp"

using cfnsplit::SourceLoc;
using cfnsplit::Value;

TEST_CASE("AppendMoved appends keys and items in order after what a container holds",
          "[unit][value]") {
  Value map = Value::Map();
  map.AppendEntry("first", Value::String("1"), SourceLoc{1, 1, 1});
  std::vector<Value::Key> keys = {{"b-a-key-longer-than-sso-storage", SourceLoc{1, 2, 3}},
                                  {"a", SourceLoc{1, 4, 5}}};
  std::vector<Value> items;
  items.push_back(Value::String("a value longer than the small-string buffer"));
  items.push_back(Value::List());
  items.back().Append(Value::Number("7"));
  map.AppendMoved(keys, items);
  REQUIRE(map.size() == 3);
  REQUIRE(map.keys().size() == 3);
  CHECK(map.keys()[1].name == "b-a-key-longer-than-sso-storage");
  CHECK(map.keys()[1].loc == (SourceLoc{1, 2, 3}));
  CHECK(map.keys()[2].name == "a");
  CHECK(map.Find("b-a-key-longer-than-sso-storage")->text() ==
        "a value longer than the small-string buffer");
  CHECK(map.Find("a")->items()[0].text() == "7");
  CHECK(map.Find("first")->text() == "1");

  Value list = Value::List();
  std::vector<Value::Key> no_keys;
  std::vector<Value> more;
  more.push_back(Value::Bool(true));
  more.push_back(Value::Null());
  list.Append(Value::String("kept"));
  list.AppendMoved(no_keys, more);
  REQUIRE(list.size() == 3);
  CHECK(list.items()[0].text() == "kept");
  CHECK(list.items()[1].is_bool());
  CHECK(list.items()[2].is_null());
  CHECK(list.keys().empty());
}
