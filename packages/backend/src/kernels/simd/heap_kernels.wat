;; Memory-bound training kernels in WebAssembly SIMD, run directly on tfjs-backend-wasm's heap: the module imports
;; that backend's memory, so every pointer below is a byte offset the backend handed out for a tensor. Each function
;; handles one common shape of its kernel with the channel count a multiple of 4 (one v128 = 4 float32 channels);
;; the TypeScript side checks the shapes and falls back to the general kernel otherwise.
;; Source of heap_kernels_wasm.ts (regenerate with `pnpm --filter @ddar/backend build:simd`).
(module
  (import "env" "memory" (memory 0))

  ;; MaxPoolGrad of a 2x2 pool with stride 2 and no padding. x [n, inH, inW, c], dy and the pooled output
  ;; [n, outH, outW, c], dx [n, inH, inW, c]. Each window's gradient goes to its first strict maximum in row-major
  ;; window order (the cpu backend's rule: NaN never wins, an all-NaN or all -Infinity window passes nothing). The
  ;; windows do not overlap, so every covered input pixel is written once; uncovered edges (odd sizes) are the
  ;; caller's to zero.
  (func (export "maxPoolGrad2x2")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $n i32) (param $inH i32) (param $inW i32) (param $c i32) (param $outH i32) (param $outW i32)
    (local $pixelBytes i32) (local $rowBytes i32) (local $imageBytes i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $k i32)
    (local $top i32) (local $dyAt i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $best v128) (local $winner v128) (local $take v128) (local $g v128)
    (local.set $pixelBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $inW) (local.get $pixelBytes)))
    (local.set $imageBytes (i32.mul (local.get $inH) (local.get $rowBytes)))
    (local.set $dyAt (local.get $dy))
    (local.set $b (i32.const 0))
    (block $batchDone (loop $batch
      (br_if $batchDone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $oy (i32.const 0))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $columnsDone (loop $columns
          (br_if $columnsDone (i32.ge_u (local.get $ox) (local.get $outW)))
          ;; Byte offset of the window's top-left pixel within x (and dx).
          (local.set $top
            (i32.add
              (i32.add (i32.mul (local.get $b) (local.get $imageBytes))
                       (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $rowBytes)))
              (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $pixelBytes))))
          (local.set $k (i32.const 0))
          (block $channelsDone (loop $channels
            (br_if $channelsDone (i32.ge_u (local.get $k) (local.get $pixelBytes)))
            (local.set $v0 (v128.load (i32.add (i32.add (local.get $x) (local.get $top)) (local.get $k))))
            (local.set $v1 (v128.load (i32.add (i32.add (i32.add (local.get $x) (local.get $top)) (local.get $pixelBytes)) (local.get $k))))
            (local.set $v2 (v128.load (i32.add (i32.add (i32.add (local.get $x) (local.get $top)) (local.get $rowBytes)) (local.get $k))))
            (local.set $v3 (v128.load (i32.add (i32.add (i32.add (i32.add (local.get $x) (local.get $top)) (local.get $rowBytes)) (local.get $pixelBytes)) (local.get $k))))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $winner (i32x4.splat (i32.const -1)))
            (local.set $take (f32x4.gt (local.get $v0) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v0) (local.get $best) (local.get $take)))
            (local.set $winner (v128.bitselect (i32x4.splat (i32.const 0)) (local.get $winner) (local.get $take)))
            (local.set $take (f32x4.gt (local.get $v1) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v1) (local.get $best) (local.get $take)))
            (local.set $winner (v128.bitselect (i32x4.splat (i32.const 1)) (local.get $winner) (local.get $take)))
            (local.set $take (f32x4.gt (local.get $v2) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v2) (local.get $best) (local.get $take)))
            (local.set $winner (v128.bitselect (i32x4.splat (i32.const 2)) (local.get $winner) (local.get $take)))
            (local.set $take (f32x4.gt (local.get $v3) (local.get $best)))
            (local.set $winner (v128.bitselect (i32x4.splat (i32.const 3)) (local.get $winner) (local.get $take)))
            (local.set $g (v128.load (i32.add (local.get $dyAt) (local.get $k))))
            ;; 0 + (dy where this position won, else +0): the same value the cpu kernel's `dx += dy` leaves.
            (v128.store (i32.add (i32.add (local.get $dx) (local.get $top)) (local.get $k))
              (f32x4.add (f32x4.splat (f32.const 0))
                (v128.and (local.get $g) (i32x4.eq (local.get $winner) (i32x4.splat (i32.const 0))))))
            (v128.store (i32.add (i32.add (i32.add (local.get $dx) (local.get $top)) (local.get $pixelBytes)) (local.get $k))
              (f32x4.add (f32x4.splat (f32.const 0))
                (v128.and (local.get $g) (i32x4.eq (local.get $winner) (i32x4.splat (i32.const 1))))))
            (v128.store (i32.add (i32.add (i32.add (local.get $dx) (local.get $top)) (local.get $rowBytes)) (local.get $k))
              (f32x4.add (f32x4.splat (f32.const 0))
                (v128.and (local.get $g) (i32x4.eq (local.get $winner) (i32x4.splat (i32.const 2))))))
            (v128.store (i32.add (i32.add (i32.add (i32.add (local.get $dx) (local.get $top)) (local.get $rowBytes)) (local.get $pixelBytes)) (local.get $k))
              (f32x4.add (f32x4.splat (f32.const 0))
                (v128.and (local.get $g) (i32x4.eq (local.get $winner) (i32x4.splat (i32.const 3))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $channels)))
          (local.set $dyAt (i32.add (local.get $dyAt) (local.get $pixelBytes)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $columns)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $batch)))
  )

  ;; Sum of x [rows, c] over its rows into out [c], row by row in order (a bias gradient: dy summed over every axis
  ;; but the channels).
  (func (export "sumRows")
    (param $x i32) (param $out i32) (param $rows i32) (param $c i32)
    (local $rowBytes i32) (local $end i32) (local $at i32) (local $k i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $k (i32.const 0))
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_u (local.get $k) (local.get $rowBytes)))
      (v128.store (i32.add (local.get $out) (local.get $k)) (f32x4.splat (f32.const 0)))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $zero)))
    (local.set $at (local.get $x))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $k (i32.const 0))
      (block $channelsDone (loop $channels
        (br_if $channelsDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $out) (local.get $k))
          (f32x4.add (v128.load (i32.add (local.get $out) (local.get $k)))
                     (v128.load (i32.add (local.get $at) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $channels)))
      (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
      (br $row)))
  )

  ;; Gradient of a nearest-neighbour upsampling by whole factors (fy, fx): dx [n, inH, inW, c] is the sum of each
  ;; fy x fx block of dy [n, inH * fy, inW * fx, c], rows then columns of the block in order.
  (func (export "resizeNearestGradByFactor")
    (param $dy i32) (param $dx i32)
    (param $n i32) (param $inH i32) (param $inW i32) (param $c i32) (param $fy i32) (param $fx i32)
    (local $pixelBytes i32) (local $dyRowBytes i32) (local $rows i32)
    (local $row i32) (local $ix i32) (local $i i32) (local $j i32) (local $k i32)
    (local $dxAt i32) (local $blockStart i32) (local $at i32) (local $acc v128)
    (local.set $pixelBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $dyRowBytes (i32.mul (i32.mul (local.get $inW) (local.get $fx)) (local.get $pixelBytes)))
    ;; Output rows of every image back to back: row r of dx covers dy rows r * fy ... r * fy + fy - 1.
    (local.set $rows (i32.mul (local.get $n) (local.get $inH)))
    (local.set $dxAt (local.get $dx))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $ix (i32.const 0))
      (block $columnsDone (loop $columns
        (br_if $columnsDone (i32.ge_u (local.get $ix) (local.get $inW)))
        (local.set $blockStart
          (i32.add (local.get $dy)
            (i32.add (i32.mul (i32.mul (local.get $row) (local.get $fy)) (local.get $dyRowBytes))
                     (i32.mul (i32.mul (local.get $ix) (local.get $fx)) (local.get $pixelBytes)))))
        (local.set $k (i32.const 0))
        (block $channelsDone (loop $channels
          (br_if $channelsDone (i32.ge_u (local.get $k) (local.get $pixelBytes)))
          (local.set $acc (f32x4.splat (f32.const 0)))
          (local.set $i (i32.const 0))
          (block $blockRowsDone (loop $blockRows
            (br_if $blockRowsDone (i32.ge_u (local.get $i) (local.get $fy)))
            (local.set $at (i32.add (i32.add (local.get $blockStart) (i32.mul (local.get $i) (local.get $dyRowBytes))) (local.get $k)))
            (local.set $j (i32.const 0))
            (block $blockColumnsDone (loop $blockColumns
              (br_if $blockColumnsDone (i32.ge_u (local.get $j) (local.get $fx)))
              (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $at))))
              (local.set $at (i32.add (local.get $at) (local.get $pixelBytes)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $blockColumns)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $blockRows)))
          (v128.store (i32.add (local.get $dxAt) (local.get $k)) (local.get $acc))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $channels)))
        (local.set $dxAt (i32.add (local.get $dxAt) (local.get $pixelBytes)))
        (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
        (br $columns)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop)))
  )
;; One Adam step over `count` floats, exactly as tfjs-core's AdamOptimizer computes it op by op in float32 (so the
  ;; results are bit-identical): m' = m * beta1 + g * (1 - beta1); v' = v * beta2 + g * g * (1 - beta2);
  ;; w' = (m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + epsilon) * -learningRate + w. The outputs are new buffers.
  (func (export "adamStep")
    (param $w i32) (param $m i32) (param $v i32) (param $g i32) (param $newW i32) (param $newM i32) (param $newV i32)
    (param $count i32)
    (param $beta1 f32) (param $beta2 f32) (param $oneMinusBeta1 f32) (param $oneMinusBeta2 f32)
    (param $oneMinusAccBeta1 f32) (param $oneMinusAccBeta2 f32) (param $negativeLearningRate f32) (param $epsilon f32)
    (local $at i32) (local $vectorEnd i32) (local $end i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $at (i32.const 0))
    (block $vectorsDone (loop $vectors
      (br_if $vectorsDone (i32.ge_u (local.get $at) (local.get $vectorEnd)))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $at))))
      (local.set $mv
        (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $at))) (f32x4.splat (local.get $beta1)))
                   (f32x4.mul (local.get $gv) (f32x4.splat (local.get $oneMinusBeta1)))))
      (local.set $vv
        (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $at))) (f32x4.splat (local.get $beta2)))
                   (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $oneMinusBeta2)))))
      (v128.store (i32.add (local.get $newM) (local.get $at)) (local.get $mv))
      (v128.store (i32.add (local.get $newV) (local.get $at)) (local.get $vv))
      (v128.store (i32.add (local.get $newW) (local.get $at))
        (f32x4.add
          (f32x4.mul
            (f32x4.div (f32x4.div (local.get $mv) (f32x4.splat (local.get $oneMinusAccBeta1)))
                       (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $oneMinusAccBeta2))))
                                  (f32x4.splat (local.get $epsilon))))
            (f32x4.splat (local.get $negativeLearningRate)))
          (v128.load (i32.add (local.get $w) (local.get $at)))))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br $vectors)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $at))))
      (local.set $ms
        (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $at))) (local.get $beta1))
                 (f32.mul (local.get $gs) (local.get $oneMinusBeta1))))
      (local.set $vs
        (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $at))) (local.get $beta2))
                 (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $oneMinusBeta2))))
      (f32.store (i32.add (local.get $newM) (local.get $at)) (local.get $ms))
      (f32.store (i32.add (local.get $newV) (local.get $at)) (local.get $vs))
      (f32.store (i32.add (local.get $newW) (local.get $at))
        (f32.add
          (f32.mul
            (f32.div (f32.div (local.get $ms) (local.get $oneMinusAccBeta1))
                     (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $oneMinusAccBeta2))) (local.get $epsilon)))
            (local.get $negativeLearningRate))
          (f32.load (i32.add (local.get $w) (local.get $at)))))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $tail)))
  )
;; out [m, n] = a [m, k] x b [k, n], n a multiple of 4: the product of a few long rows (a filter gradient's
  ;; im2col patches, m = taps) with a tall matrix (dy). XNNPACK packs its right-hand operand on every call, which for a
  ;; fresh dy of 86 528 x 32 costs 15-20 ms; here b is streamed once per row of a and 32 columns at a time, summing
  ;; over k in order.
  (func (export "matmulFewRows")
    (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $kk i32) (local $rowBytes i32) (local $aRow i32) (local $bAt i32)
    (local $s v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $aRow (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
      ;; Blocks of 32 columns: eight accumulators.
      (local.set $j (i32.const 0))
      (block $wideDone (loop $wide
        (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $rowBytes)))
        (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
        (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
        (local.set $bAt (i32.add (local.get $b) (local.get $j)))
        (local.set $kk (i32.const 0))
        (block $sumDone (loop $sum
          (br_if $sumDone (i32.ge_u (local.get $kk) (local.get $k)))
          (local.set $s (f32x4.splat (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $kk) (i32.const 2))))))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (v128.load offset=0 (local.get $bAt)))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $bAt)))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $bAt)))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $bAt)))))
          (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $s) (v128.load offset=64 (local.get $bAt)))))
          (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $s) (v128.load offset=80 (local.get $bAt)))))
          (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $s) (v128.load offset=96 (local.get $bAt)))))
          (local.set $c7 (f32x4.add (local.get $c7) (f32x4.mul (local.get $s) (v128.load offset=112 (local.get $bAt)))))
          (local.set $bAt (i32.add (local.get $bAt) (local.get $rowBytes)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br $sum)))
        (local.set $bAt (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $rowBytes))) (local.get $j)))
        (v128.store offset=0 (local.get $bAt) (local.get $c0)) (v128.store offset=16 (local.get $bAt) (local.get $c1))
        (v128.store offset=32 (local.get $bAt) (local.get $c2)) (v128.store offset=48 (local.get $bAt) (local.get $c3))
        (v128.store offset=64 (local.get $bAt) (local.get $c4)) (v128.store offset=80 (local.get $bAt) (local.get $c5))
        (v128.store offset=96 (local.get $bAt) (local.get $c6)) (v128.store offset=112 (local.get $bAt) (local.get $c7))
        (local.set $j (i32.add (local.get $j) (i32.const 128)))
        (br $wide)))
      ;; Then 16 columns at a time: four accumulators.
      (block $mediumDone (loop $medium
        (br_if $mediumDone (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $rowBytes)))
        (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $bAt (i32.add (local.get $b) (local.get $j)))
        (local.set $kk (i32.const 0))
        (block $sumDone (loop $sum
          (br_if $sumDone (i32.ge_u (local.get $kk) (local.get $k)))
          (local.set $s (f32x4.splat (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $kk) (i32.const 2))))))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (v128.load offset=0 (local.get $bAt)))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $bAt)))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $bAt)))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $bAt)))))
          (local.set $bAt (i32.add (local.get $bAt) (local.get $rowBytes)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br $sum)))
        (local.set $bAt (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $rowBytes))) (local.get $j)))
        (v128.store offset=0 (local.get $bAt) (local.get $c0)) (v128.store offset=16 (local.get $bAt) (local.get $c1))
        (v128.store offset=32 (local.get $bAt) (local.get $c2)) (v128.store offset=48 (local.get $bAt) (local.get $c3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $medium)))
      ;; The remaining columns, 4 at a time.
      (block $narrowDone (loop $narrow
        (br_if $narrowDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $bAt (i32.add (local.get $b) (local.get $j)))
        (local.set $kk (i32.const 0))
        (block $sumDone (loop $sum
          (br_if $sumDone (i32.ge_u (local.get $kk) (local.get $k)))
          (local.set $c0 (f32x4.add (local.get $c0)
            (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $kk) (i32.const 2)))))
                       (v128.load (local.get $bAt)))))
          (local.set $bAt (i32.add (local.get $bAt) (local.get $rowBytes)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br $sum)))
        (v128.store (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $rowBytes))) (local.get $j)) (local.get $c0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $narrow)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )
)
