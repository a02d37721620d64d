# The global policy is never touched: the encoder and head are given dtype="mixed_float16" per
# layer, so the model computes and returns float16 (model_not_float32, not a leaked global
# policy). 217,537 params, 6 trainable weights.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1", dtype="mixed_float16")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2", dtype="mixed_float16")

left_emb = enc2(enc1(left))
right_emb = enc2(enc1(right))

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit", dtype="mixed_float16")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
p = siamese.predict([np.random.rand(4, 784), np.random.rand(4, 784)], verbose=0)
print(p.dtype, keras.mixed_precision.global_policy())
