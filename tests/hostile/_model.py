# A correct siamese model, appended to each hostile submission so that a hostile file which the
# sandbox neutralised still grades as a correct solution.
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
