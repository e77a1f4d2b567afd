// The C ABI of the buffers section: argument checks and exception guards around Pool and Buffer.
#include "buffer.hpp"
#include "buffer_pool.hpp"
#include "common.hpp"

using gmcp::fail;
using gmcp::guarded;

namespace {
gmcp_status null_argument(const char *what) { return fail(GMCP_E_INVALID_ARGUMENT, what); }
}  // namespace

extern "C" {

gmcp_status gmcp_buffer_pool_new(size_t slab_size, size_t max_slabs, gmcp_buffer_pool **out_pool) {
  if (out_pool == nullptr) return null_argument("out_pool is NULL");
  *out_pool = nullptr;
  if (slab_size == 0 || slab_size > GMCP_BUFFER_MAX_SLAB_SIZE) {
    return fail(GMCP_E_INVALID_ARGUMENT, "slab_size must be 1..2^30");
  }
  if (max_slabs == 0 || max_slabs > GMCP_BUFFER_MAX_SLABS) {
    return fail(GMCP_E_INVALID_ARGUMENT, "max_slabs must be 1..2^24");
  }
  return guarded([&] {
    *out_pool = new gmcp_buffer_pool(slab_size, max_slabs);
    return GMCP_OK;
  });
}

void gmcp_buffer_pool_free(gmcp_buffer_pool *pool) {
  if (pool != nullptr) pool->release();
}

gmcp_status gmcp_buffer_pool_stats_get(const gmcp_buffer_pool *pool, gmcp_buffer_pool_stats *out_stats) {
  if (pool == nullptr) return null_argument("pool is NULL");
  if (out_stats == nullptr) return null_argument("out_stats is NULL");
  pool->stats(out_stats);
  return GMCP_OK;
}

gmcp_status gmcp_buffer_new(gmcp_buffer_pool *pool, gmcp_buffer **out_buffer) {
  if (pool == nullptr) return null_argument("pool is NULL");
  if (out_buffer == nullptr) return null_argument("out_buffer is NULL");
  *out_buffer = nullptr;
  return guarded([&] {
    *out_buffer = new gmcp_buffer(pool);
    return GMCP_OK;
  });
}

void gmcp_buffer_free(gmcp_buffer *buffer) { delete buffer; }

gmcp_status gmcp_buffer_length(const gmcp_buffer *buffer, uint64_t *out_length) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  if (out_length == nullptr) return null_argument("out_length is NULL");
  *out_length = buffer->length();
  return GMCP_OK;
}

gmcp_status gmcp_buffer_add(gmcp_buffer *buffer, const uint8_t *data, size_t length, int32_t *out_watermark) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  return guarded([&] { return buffer->add(data, length, out_watermark); });
}

gmcp_status gmcp_buffer_reserve(gmcp_buffer *buffer, size_t size, gmcp_buffer_region *out_region) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  if (out_region == nullptr) return null_argument("out_region is NULL");
  return guarded([&] { return buffer->reserve(size, out_region); });
}

gmcp_status gmcp_buffer_commit(gmcp_buffer *buffer, size_t length, int32_t *out_watermark) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  return guarded([&] { return buffer->commit(length, out_watermark); });
}

gmcp_status gmcp_buffer_drain(gmcp_buffer *buffer, size_t length, int32_t *out_watermark) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  return guarded([&] { return buffer->drain(length, out_watermark); });
}

gmcp_status gmcp_buffer_copy_out(const gmcp_buffer *buffer, size_t offset, size_t length, uint8_t *dst) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  return buffer->copy_out(offset, length, dst);
}

gmcp_status gmcp_buffer_linearize(gmcp_buffer *buffer, size_t length, gmcp_buffer_region *out_region) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  if (out_region == nullptr) return null_argument("out_region is NULL");
  return guarded([&] { return buffer->linearize(length, out_region); });
}

gmcp_status gmcp_buffer_search(const gmcp_buffer *buffer, const uint8_t *needle, size_t needle_length, size_t start,
                               int64_t *out_index) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  if (out_index == nullptr) return null_argument("out_index is NULL");
  if (needle == nullptr && needle_length > 0) return null_argument("needle is NULL");
  *out_index = buffer->search(needle, needle_length, start);
  return GMCP_OK;
}

gmcp_status gmcp_buffer_slice(gmcp_buffer *buffer, size_t offset, size_t length, gmcp_buffer **out_buffer) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  if (out_buffer == nullptr) return null_argument("out_buffer is NULL");
  *out_buffer = nullptr;
  if (offset > buffer->length() || length > buffer->length() - offset) {
    return fail(GMCP_E_INVALID_ARGUMENT, "range is outside the buffer");
  }
  return guarded([&] {
    *out_buffer = buffer->slice(offset, length);
    return GMCP_OK;
  });
}

gmcp_status gmcp_buffer_set_watermarks(gmcp_buffer *buffer, size_t low, size_t high, int32_t *out_watermark) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  return buffer->set_watermarks(low, high, out_watermark);
}

gmcp_status gmcp_buffer_watermarks_get(const gmcp_buffer *buffer, gmcp_buffer_watermark_state *out_state) {
  if (buffer == nullptr) return null_argument("buffer is NULL");
  if (out_state == nullptr) return null_argument("out_state is NULL");
  buffer->watermarks(out_state);
  return GMCP_OK;
}

gmcp_status gmcp_buffer_noop(const uint8_t *data, size_t length) { return GMCP_OK; }

}  // extern "C"
