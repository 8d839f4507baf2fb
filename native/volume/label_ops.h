// Label-map utilities for writers: exact bounding boxes of every label value, and the binary
// mask of one label cut out of a box (the one-hot mask of one structure, without ever building
// the full [S, Z, Y, X] one-hot array).
#pragma once

#include <cstdint>

namespace ms {

struct Box3 {
  int32_t z0, y0, x0;  // inclusive
  int32_t z1, y1, x1;  // exclusive; an absent label has z0 >= z1
};

// bounds[l] for l in [0, n_labels): the tight box of voxels equal to l.
void label_bounds(const uint8_t* labels, int64_t nz, int64_t ny, int64_t nx, int n_labels, Box3* bounds);

// out[(z - b.z0, y - b.y0, x - b.x0)] = labels[z, y, x] == label ? 1 : 0 over the box b.
void label_mask_box(const uint8_t* labels, int64_t nz, int64_t ny, int64_t nx, const Box3& b, uint8_t label,
                    uint8_t* out);

// Which chunks of a [bz, by, bx] chunk grid hold each label: occupancy[((l·gz + iz)·gy + iy)·gx +
// ix] is 1 when chunk (iz, iy, ix) holds a voxel equal to l, else 0, for l < n_labels, with
// g = ceil(n / b) per axis; in the same pass, bounds[l] as label_bounds gives it (when bounds is
// not null). Writers use it to skip a structure's empty chunks.
void label_chunk_occupancy(const uint8_t* labels, int64_t nz, int64_t ny, int64_t nx, int64_t bz, int64_t by,
                           int64_t bx, int n_labels, uint8_t* occupancy, Box3* bounds);

// The label map of non-overlapping one-hot masks [structures, voxels]: labels[v] = s + 1 for the
// last structure s whose mask is nonzero at v (where masks overlap, the later structure wins), 0
// where none is. structures in [1, 255].
void labels_from_one_hot(const uint8_t* masks, int64_t structures, int64_t voxels, uint8_t* labels);

// Copies the box b of a [nz, ny, nx] volume of `elem_size`-byte elements into a dense array.
void crop_box(const void* volume, int64_t elem_size, int64_t nz, int64_t ny, int64_t nx, const Box3& b, void* out);

}  // namespace ms
