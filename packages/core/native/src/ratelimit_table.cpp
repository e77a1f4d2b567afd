#include "ratelimit_table.hpp"

#include <cmath>

namespace gmcp::ratelimit {

Table::Table(const TableOptions &options) : options_(options) {
  slots_.assign(kInitialSlots, Slot{0, 0});
  slot_mask_ = kInitialSlots - 1;
}

double Table::effective_time(double now_ms) const noexcept {
  const double t = std::floor(now_ms);
  return t > clock_ ? t : clock_;
}

uint32_t Table::find(uint64_t hash) const noexcept {
  const uint32_t low = static_cast<uint32_t>(hash);
  for (size_t i = low & slot_mask_;; i = (i + 1) & slot_mask_) {
    const Slot &slot = slots_[i];
    if (slot.ref == 0) return kNone;
    if (slot.hash_low == low && entry(slot.ref - 1).hash == hash) return slot.ref - 1;
  }
}

void Table::place(uint32_t hash_low, uint32_t ref) noexcept {
  size_t i = hash_low & slot_mask_;
  while (slots_[i].ref != 0) i = (i + 1) & slot_mask_;
  slots_[i] = Slot{hash_low, ref};
}

void Table::grow_index() {
  std::vector<Slot> old(slots_.size() * 2, Slot{0, 0});
  old.swap(slots_);  // `old` now holds the previous slots
  slot_mask_ = slots_.size() - 1;
  for (const Slot &slot : old) {
    if (slot.ref != 0) place(slot.hash_low, slot.ref);
  }
}

void Table::link_front(uint32_t index) noexcept {
  Entry &e = entry(index);
  e.lru_prev = kNone;
  e.lru_next = head_;
  if (head_ != kNone) entry(head_).lru_prev = index;
  head_ = index;
  if (tail_ == kNone) tail_ = index;
}

void Table::unlink(uint32_t index) noexcept {
  Entry &e = entry(index);
  if (e.lru_prev != kNone) entry(e.lru_prev).lru_next = e.lru_next; else head_ = e.lru_next;
  if (e.lru_next != kNone) entry(e.lru_next).lru_prev = e.lru_prev; else tail_ = e.lru_prev;
}

void Table::touch(uint32_t index) noexcept {
  if (head_ == index) return;
  unlink(index);
  link_front(index);
}

uint32_t Table::insert(uint64_t hash, double t) {
  if (count_ == options_.max_keys) {
    remove(tail_);
    evictions_ += 1;
  }
  // Allocate (a larger index, a new page) before linking anything, so bad_alloc leaves the table consistent.
  if ((static_cast<size_t>(count_) + 1) * 4 > slots_.size() * 3) grow_index();
  uint32_t index;
  if (free_ != kNone) {
    index = free_;
    free_ = entry(index).lru_next;
  } else {
    if ((used_ & (kPageSize - 1)) == 0) {
      std::unique_ptr<Entry[]> page(new Entry[kPageSize]);
      pages_.push_back(std::move(page));
    }
    index = used_++;
  }
  Entry &e = entry(index);
  e.hash = hash;
  e.state = fresh_state(options_.params, t);
  place(static_cast<uint32_t>(hash), index + 1);
  link_front(index);
  count_ += 1;
  return index;
}

void Table::remove(uint32_t index) noexcept {
  const uint32_t low = static_cast<uint32_t>(entry(index).hash);
  size_t hole = low & slot_mask_;
  while (slots_[hole].ref != index + 1) hole = (hole + 1) & slot_mask_;
  // Backward-shift deletion: pull later members of the probe run into the hole.
  for (size_t j = (hole + 1) & slot_mask_; slots_[j].ref != 0; j = (j + 1) & slot_mask_) {
    const size_t home = slots_[j].hash_low & slot_mask_;
    if (((j - home) & slot_mask_) >= ((j - hole) & slot_mask_)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{0, 0};
  unlink(index);
  entry(index).lru_next = free_;
  free_ = index;
  count_ -= 1;
}

void Table::sweep(double t, uint32_t limit) noexcept {
  for (uint32_t n = 0; n < limit && tail_ != kNone && idle(entry(tail_), t); ++n) {
    remove(tail_);
    expired_ += 1;
  }
}

Decision Table::decide(uint32_t mode, uint64_t hash, double now_ms, double cost) {
  const double t = effective_time(now_ms);
  const Params &p = options_.params;
  if (mode == GMCP_RATELIMIT_CHECK) {
    const uint32_t index = find(hash);
    State s = (index == kNone || idle(entry(index), t)) ? fresh_state(p, t) : entry(index).state;
    advance(p, s, t);
    return ratelimit::decide(p, s, cost);
  }
  clock_ = t;
  if (mode == GMCP_RATELIMIT_REFUND) {
    const uint32_t index = find(hash);
    if (index != kNone && !idle(entry(index), t)) {
      State &s = entry(index).state;
      advance(p, s, t);
      refund(p, s, cost);
      touch(index);
    }
    return Decision{1, 0, 0};
  }
  sweep(t, kSweepPerTake);
  uint32_t index = find(hash);
  if (index != kNone && idle(entry(index), t)) {
    remove(index);
    expired_ += 1;
    index = kNone;
  }
  if (index == kNone) index = insert(hash, t);
  State &s = entry(index).state;
  advance(p, s, t);
  const Decision d = ratelimit::decide(p, s, cost);
  touch(index);
  if (d.allowed != 0) allowed_ += 1; else denied_ += 1;
  return d;
}

bool Table::remove_key(uint64_t hash) noexcept {
  const uint32_t index = find(hash);
  if (index == kNone) return false;
  remove(index);
  return true;
}

double Table::prune(double now_ms) noexcept {
  const double t = effective_time(now_ms);
  clock_ = t;
  const double before = expired_;
  sweep(t, kNone);
  return expired_ - before;
}

void Table::clear() {
  pages_.clear();
  pages_.shrink_to_fit();
  std::vector<Slot>().swap(slots_);
  slots_.resize(kInitialSlots, Slot{0, 0});  // 128 bytes; cannot fail in practice
  slot_mask_ = kInitialSlots - 1;
  used_ = 0;
  free_ = kNone;
  count_ = 0;
  head_ = kNone;
  tail_ = kNone;
}

TableStats Table::stats() const noexcept {
  const double memory = static_cast<double>(sizeof(Table)) +
                        static_cast<double>(pages_.capacity() * sizeof(pages_[0])) +
                        static_cast<double>(pages_.size()) * kPageSize * sizeof(Entry) +
                        static_cast<double>(slots_.capacity() * sizeof(Slot));
  return TableStats{static_cast<double>(count_), evictions_, expired_, allowed_, denied_, memory,
                    options_.idle_timeout_ms};
}

}  // namespace gmcp::ratelimit
