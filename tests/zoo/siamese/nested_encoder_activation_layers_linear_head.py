# A nested functional encoder written with ReLU()/Activation layers (right), and a head with no
# activation (wrong). Written as a student would, not for one check.
import numpy as np
import keras
from keras import layers

def make_encoder():
    inp = keras.Input(shape=(784,))
    h = layers.Dense(256)(inp)
    h = layers.ReLU()(h)
    h = layers.Dense(64)(h)
    h = layers.Activation("relu")(h)
    return keras.Model(inp, h, name="encoder")

encoder = make_encoder()
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
both = layers.Concatenate()([encoder(left), encoder(right)])
out = layers.Dense(1, name="same_digit")(both)
siamese = keras.Model([left, right], out)
siamese.summary()
print(siamese.predict([np.random.rand(3, 784), np.random.rand(3, 784)], verbose=0))
