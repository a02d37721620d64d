import numpy as np
import keras
from keras import layers


def build_siamese(train_encoder: bool = True) -> keras.Model:
    left = keras.Input(shape=(784,), name="left")
    right = keras.Input(shape=(784,), name="right")
    enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
    enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
    enc1.trainable = enc2.trainable = train_encoder
    merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
    out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
    return keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")


siamese = build_siamese()
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
p = siamese.predict([np.random.rand(8, 784), np.random.rand(8, 784)], verbose=0)
assert p.shape == (8, 1) and ((p > 0) & (p < 1)).all()
print("ok", p.ravel()[:3])
