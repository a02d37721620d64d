# keras.ops.concatenate of the raw inputs (1,568 wide), then one encoder: the images are merged
# before any encoder runs (wrong_merge), so nothing is shared. 418,177 params.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

pair = keras.ops.concatenate([left, right], axis=-1)      # (None, 1568)
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
emb = enc2(enc1(pair))
out = layers.Dense(1, activation="sigmoid", name="same_digit")(emb)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
print(siamese.count_params(), len(siamese.trainable_weights))
