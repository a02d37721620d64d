# The shared encoder is followed by a BatchNormalization on the LEFT embedding only
# (encoder_paths_differ): 217,537 + 4x64 = 217,793 params, 8 trainable weights.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
bn = layers.BatchNormalization(name="bn_left")   # "stabilise the embedding"

left_emb = bn(enc2(enc1(left)))
right_emb = enc2(enc1(right))

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
print(siamese.count_params(), len(siamese.trainable_weights))
p = siamese.predict({"left": np.random.rand(16, 784), "right": np.random.rand(16, 784)}, verbose=0)
print(p.shape, p.min(), p.max())
