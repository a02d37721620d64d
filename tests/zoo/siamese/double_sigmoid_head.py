# WRONG: sigmoid applied twice on the head (Dense(1, sigmoid) and then an Activation('sigmoid')
# named same_digit): outputs squeezed into (0.5, 0.73).
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
logit = layers.Dense(1, activation="sigmoid", name="head")(merged)
out = layers.Activation("sigmoid", name="same_digit")(logit)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
assert siamese.count_params() == 217_537
p = siamese.predict([np.random.rand(16, 784), np.random.rand(16, 784)], verbose=0)
assert (p > 0).all() and (p < 1).all()
