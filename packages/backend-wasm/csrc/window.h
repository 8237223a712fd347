/* Where every window of a windowed op (convolution, pooling) sits in its NHWC input. */
#ifndef KILN_WINDOW_H
#define KILN_WINDOW_H

#include "kiln.h"

typedef struct {
  int32_t batch, in_h, in_w, channels;
  int32_t out_h, out_w;
  int32_t filter_h, filter_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t out_channels; /* convolutions: filter output channels (depthwise: the multiplier) */
} Window;

/* Reads a Window from 15 int32 of an argument frame. */
KILN_INLINE void read_window(const int32_t* f, Window* w) { memcpy(w, f, sizeof(Window)); }

#endif
