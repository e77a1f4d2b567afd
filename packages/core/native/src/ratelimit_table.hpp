// A bounded table of rate-limit states keyed by 64-bit key hashes: entries in fixed pages, an
// open-addressing index (linear probing, backward-shift deletion) and an intrusive LRU list.
// The TypeScript twin (src/engine/ratelimit/table.ts) mirrors it operation for operation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ratelimit_algorithms.hpp"

namespace gmcp::ratelimit {

/** Options of a table, already validated. */
struct TableOptions {
  Params params;
  uint32_t max_keys;
  double idle_timeout_ms;  // 0: never idle-evict
  uint8_t hash_key[8];
};

/** Counters of a table. */
struct TableStats {
  double keys, evictions, expired, allowed, denied, memory_bytes, idle_timeout_ms;
};

class Table {
 public:
  explicit Table(const TableOptions &options);

  /** The table clock after a call at now_ms: max(floor(now_ms), latest). */
  double effective_time(double now_ms) const noexcept;

  /** CHECK, TAKE or REFUND for one key hash at t = effective_time(now). */
  Decision decide(uint32_t mode, uint64_t hash, double now_ms, double cost);

  /** Removes a key; true when it was present. */
  bool remove_key(uint64_t hash) noexcept;

  /** Advances the clock and evicts every idle key; returns how many. */
  double prune(double now_ms) noexcept;

  /** Removes every key and releases the storage (may throw bad_alloc re-creating the empty index). */
  void clear();

  TableStats stats() const noexcept;
  const uint8_t *hash_key() const noexcept { return options_.hash_key; }

 private:
  static constexpr uint32_t kNone = 0xffffffffu;
  static constexpr uint32_t kPageShift = 12;
  static constexpr uint32_t kPageSize = 1u << kPageShift;
  static constexpr uint32_t kSweepPerTake = 4;
  static constexpr size_t kInitialSlots = 16;

  struct Entry {
    uint64_t hash;
    State state;
    uint32_t lru_prev;  // towards the most recently used end
    uint32_t lru_next;  // towards the least recently used end; the free list's link
  };
  static_assert(sizeof(Entry) == 32, "an entry is 32 bytes");

  struct Slot {
    uint32_t hash_low;  // the low 32 bits of the key hash: home position and a cheap filter
    uint32_t ref;       // entry index + 1, 0 when the slot is empty
  };

  Entry &entry(uint32_t index) noexcept { return pages_[index >> kPageShift][index & (kPageSize - 1)]; }
  const Entry &entry(uint32_t index) const noexcept {
    return pages_[index >> kPageShift][index & (kPageSize - 1)];
  }
  bool idle(const Entry &e, double t) const noexcept {
    return options_.idle_timeout_ms > 0 && t - e.state.time >= options_.idle_timeout_ms;
  }

  uint32_t find(uint64_t hash) const noexcept;
  uint32_t insert(uint64_t hash, double t);
  void remove(uint32_t index) noexcept;
  void grow_index();
  void place(uint32_t hash_low, uint32_t ref) noexcept;
  void link_front(uint32_t index) noexcept;
  void unlink(uint32_t index) noexcept;
  void touch(uint32_t index) noexcept;
  void sweep(double t, uint32_t limit) noexcept;

  TableOptions options_;
  std::vector<std::unique_ptr<Entry[]>> pages_;
  std::vector<Slot> slots_;
  size_t slot_mask_ = 0;
  uint32_t used_ = 0;        // entries ever handed out from the pages
  uint32_t free_ = kNone;    // head of the free list
  uint32_t count_ = 0;
  uint32_t head_ = kNone;    // most recently used
  uint32_t tail_ = kNone;    // least recently used
  double clock_ = 0;
  double evictions_ = 0, expired_ = 0, allowed_ = 0, denied_ = 0;
};

}  // namespace gmcp::ratelimit
